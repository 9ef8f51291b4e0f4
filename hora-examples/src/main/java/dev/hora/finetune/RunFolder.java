package dev.hora.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.ModelSource;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import dev.hora.io.TensorSpec;
import dev.hora.io.UnexpectedTensorException;
import dev.hora.metrics.MetricsJson;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The files of a fine-tuning run directory:
 * <pre>
 *   settings.json            resolved options (FinetuneSettings)
 *   labels.json              class names, index = class id
 *   model.safetensors        every trainable tensor by graph name (adapter.layer.L.P, classifier.*)
 *   adapter/                 adapter_model.safetensors + adapter_config.json (PEFT layout for LoRA)
 *   checkpoint.safetensors   trainer state, every --checkpoint-every steps and at each epoch end (--resume)
 *   metrics.json, training.png
 *   manifest.json            written last: completion marker + SHA-256 of each file (RunManifest)
 * </pre>
 */
public final class RunFolder {
    public static final String LABELS = "labels.json";
    public static final String MODEL = "model.safetensors";
    public static final String ADAPTER_DIR = "adapter";
    public static final String METRICS = "metrics.json";
    public static final String CHART = "training.png";

    private RunFolder() {
    }

    /** Writes the class names. */
    public static void writeLabels(Path dir, List<String> labels) throws IOException {
        MetricsJson.write(dir.resolve(LABELS), labels);
    }

    /** Writes every trainable tensor of the model. */
    public static void writeModel(Path dir, PeftModel model) throws IOException {
        SafetensorsWriter.write(dir.resolve(MODEL), model.trainable(), Map.of("format", "hora-run"));
    }

    /**
     * A trained run: its settings, class names, the adapted model with its trained tensors, and the
     * base model record its model and tokenizer were checked against.
     */
    public record Loaded(FinetuneSettings settings, List<String> labels, ModelSource source, PeftModel model,
                         BaseModelCheck base) {
    }

    /**
     * Loads a run written by {@code hora finetune}; errors name the file and the problem. The base
     * model must be the one the run was trained with ({@link BaseModelCheck}), and model.safetensors
     * must hold exactly the model's trainable tensors (checked from its header before reading).
     */
    public static Loaded load(Path dir) throws IOException {
        Path settingsFile = dir.resolve(FinetuneSettings.FILE);
        for (Path f : List.of(settingsFile, dir.resolve(LABELS), dir.resolve(MODEL))) {
            if (!Files.isRegularFile(f)) {
                throw new IOException(f + ": missing; " + dir + " is not a finished hora finetune run directory");
            }
        }
        RunManifest.verify(dir);
        BaseModelCheck base = RunManifest.base(dir);
        FinetuneSettings s = FinetuneSettings.read(settingsFile);
        List<String> labels = readLabels(dir.resolve(LABELS));
        ModelSource source = ModelSource.resolve(s.model(), s.tokenizer() == null ? null : Path.of(s.tokenizer()));
        ImportedBert bert;
        try {
            bert = BertOnnx.fromBytes(source.description(), base.modelBytes(source));
        } catch (OutOfMemoryError e) {
            throw new IOException(source.description() + ": out of memory importing the base model (JVM heap "
                    + Runtime.getRuntime().maxMemory() + " bytes; raise -Xmx, e.g. HORA_JAVA_OPTS=-Xmx8g)", e);
        }
        Resources.returnImportHeap();
        PeftModel model = RunSpec.model(s, bert, labels.size());
        Map<String, INDArray> trainable = model.trainable();
        SafetensorsReader.Content c;
        try {
            c = SafetensorsReader.readWeights(dir.resolve(MODEL), TensorSpec.like(trainable));
        } catch (UnexpectedTensorException e) {
            throw new IOException(dir.resolve(MODEL) + ": does not fit the run's settings: " + e.problem(), e);
        }
        try {
            model.setTrainable(c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(MODEL) + ": does not fit the run's settings: " + e.getMessage(), e);
        }
        return new Loaded(s, labels, source, model, base);
    }

    /** labels.json: a JSON array of class names, each a string (a number is refused, not read as text). */
    static List<String> readLabels(Path file) throws IOException {
        JsonNode n;
        try {
            n = MetricsJson.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isArray()) {
            throw new IOException(file + ": expected a JSON array of class names, got " + n);
        }
        List<String> labels = new java.util.ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            if (!n.get(i).isTextual()) {
                throw new IOException(file + ": class " + i + " is " + n.get(i) + ", expected a string (a class name)");
            }
            labels.add(n.get(i).asText());
        }
        checkLabels(file, labels);
        return labels;
    }

    /**
     * Class names must be distinct, non-empty strings, at least two: otherwise a prediction would
     * print one name for two classes.
     */
    public static void checkLabels(Path file, List<String> labels) throws IOException {
        if (labels == null || labels.size() < 2) {
            throw new IOException(file + ": expected a JSON array of at least two class names, got " + labels);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < labels.size(); i++) {
            String l = labels.get(i);
            if (l == null || l.isBlank()) {
                throw new IOException(file + ": class " + i + " has an empty name");
            }
            if (!seen.add(l)) {
                throw new IOException(file + ": class name '" + l + "' appears twice (classes " + labels.indexOf(l)
                        + " and " + i + ")");
            }
        }
    }

    /** Imports the source's ONNX encoder. */
    public static ImportedBert importModel(ModelSource source) throws IOException {
        ImportedBert bert;
        try (InputStream in = source.openModel()) {
            bert = BertOnnx.fromStream(source.description(), in);
        }
        Resources.returnImportHeap();
        return bert;
    }
}
