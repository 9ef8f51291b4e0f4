package dev.hora.serve;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.data.Sha256;
import dev.hora.finetune.BaseModelCheck;
import dev.hora.finetune.ModelSource;
import dev.hora.finetune.RunFolder;
import dev.hora.finetune.RunManifest;
import dev.hora.finetune.RunSpec;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.peft.ClassifierFile;
import dev.hora.io.peft.SavedClassifier;
import dev.hora.metrics.MetricsJson;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads an adapter onto the served model after verifying it:
 * <pre>
 *   run directory of hora finetune   manifest.json (every file's SHA-256), settings.json (same --model
 *                                    as the server), the base model's and tokenizer's SHA-256 recorded by
 *                                    the run = the served ones, labels.json, model.safetensors
 *   adapter folder                   PEFT LoRA or MH-LoRA / HoRA (AdapterFolder's own checks), with
 *                                    classifier.safetensors as its head when present
 * </pre>
 */
final class AdapterLoader {
    private final PeftModel model;
    private final ModelSource source;
    private final String modelSpec;
    private final int defaultMaxLength;
    private volatile String[] servedSha;

    AdapterLoader(PeftModel model, ModelSource source, int defaultMaxLength) {
        this.model = model;
        this.source = source;
        this.modelSpec = source.spec();
        this.defaultMaxLength = defaultMaxLength;
    }

    /** SHA-256 of the served model's ONNX bytes and tokenizer.json, hashed once. */
    private String[] servedSha() throws IOException {
        String[] s = servedSha;
        if (s == null) {
            try (var m = source.openModel(); var t = source.openTokenizer()) {
                s = new String[]{Sha256.of(m), Sha256.of(t)};
            }
            servedSha = s;
        }
        return s;
    }

    /**
     * Loads {@code folder} as {@code modelName} in the model.
     *
     * @throws ApiException 422 naming what failed verification
     */
    ServedAdapter load(String name, String modelName, Path folder, boolean pinned) {
        try {
            if (Files.isRegularFile(folder.resolve(FinetuneSettings.FILE))) {
                return loadRun(name, modelName, folder, pinned);
            }
            if (Files.isRegularFile(folder.resolve("adapter_config.json"))) {
                model.loadAdapter(modelName, folder);
                model.adapter(modelName).freeze();   // served values never change: no per-batch fingerprint
                SavedClassifier head = ClassifierFile.read(folder).orElse(null);
                String kind = model.adapter(modelName).config().getKind().cliName();
                int maxLength = head == null || head.maxLength() == 0 ? defaultMaxLength : head.maxLength();
                return new ServedAdapter(name, modelName, folder, kind, head == null ? List.of() : head.labels(),
                        maxLength, pinned);
            }
            throw new IOException("neither a hora finetune run directory (settings.json) nor an adapter folder"
                    + " (adapter_config.json)");
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            throw ApiException.unprocessable("adapter '" + name + "' cannot be served: "
                    + redact(String.valueOf(e.getMessage()), folder));
        }
    }

    private ServedAdapter loadRun(String name, String modelName, Path dir, boolean pinned) throws IOException {
        RunManifest.verify(dir);
        FinetuneSettings s = FinetuneSettings.read(dir.resolve(FinetuneSettings.FILE));
        List<String> labels = MetricsJson.MAPPER.readValue(dir.resolve(RunFolder.LABELS).toFile(),
                new TypeReference<List<String>>() { });
        RunFolder.checkLabels(dir.resolve(RunFolder.LABELS), labels);
        if (!ModelSource.recorded(modelSpec).equals(s.model())) {
            throw new IOException("the run was trained on --model " + s.model() + ", this server serves "
                    + ModelSource.recorded(modelSpec));
        }
        BaseModelCheck base = RunManifest.base(dir);
        String[] served = servedSha();
        if (!base.model().equals(served[0]) || !base.tokenizer().equals(served[1])) {
            throw new IOException("the run was trained on a base model of SHA-256 " + base.model() + " (tokenizer "
                    + base.tokenizer() + "), this server's is " + served[0] + " (tokenizer " + served[1] + ")");
        }
        AdapterSet set = RunSpec.adapterSet(modelName, s, model.backbone(), labels.size());
        try {
            set.setTrainable(SafetensorsReader.readWeights(dir.resolve(RunFolder.MODEL)).tensors());
        } catch (IllegalArgumentException e) {
            throw new IOException(RunFolder.MODEL + " does not fit the run's settings: " + e.getMessage(), e);
        }
        model.addAdapter(set.freeze());   // served values never change: no per-batch fingerprint
        String kind = s.adapter() == null ? "probe" : s.adapter().cliName().toLowerCase(Locale.ROOT);
        return new ServedAdapter(name, modelName, dir, kind, labels, s.maxLength(), pinned);
    }

    /** The message without the server's absolute paths. */
    private static String redact(String message, Path folder) {
        String m = message.replace(folder.toString() + "/", "").replace(folder.toString(), ".");
        Path parent = folder.getParent();
        return parent == null ? m : m.replace(parent.toString(), "<adapter-dir>");
    }
}
