package dev.hora.serve;

import dev.hora.cli.Hora;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.ModelSource;
import dev.hora.finetune.RunFolder;
import dev.hora.finetune.RunManifest;
import dev.hora.finetune.RunSpec;
import dev.hora.metrics.MetricsJson;
import dev.hora.onnx.ImportedBert;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.PeftModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the serve tests share, made once per JVM: real {@code hora finetune} run directories on the
 * built-in all-MiniLM-L6-v2 (a real two-step HoRA run; LoRA, MH-LoRA and linear-probe runs derived from
 * it, {@link #derive}), the
 * imported model, and 8 distinct LoRA adapter folders (the LoRA run's adapter with seeded noise).
 */
final class ServeFixtures {
    static final String[] TEXTS = {"great phone, works perfectly", "I hated this film", "fine",
        "the food was excellent but the service was slow", "worst purchase ever", "a b c",
        "this is a much longer review that goes on and on about the plot, the acting, the music and the ending"};
    private static ServeFixtures instance;
    final Path dir;
    final Map<String, Path> runs;
    final ImportedBert bert;
    final ModelSource source;
    final Path adapterDir;
    final List<String> eight;

    private ServeFixtures() throws IOException {
        dir = Files.createTempDirectory("hora-serve-test");
        Path train = dir.resolve("train.tsv");
        StringBuilder tr = new StringBuilder("label\ttext\n");
        String[] pos = {"great phone", "I love this movie", "excellent food", "best purchase", "wonderful", "superb"};
        String[] neg = {"terrible, broke", "I hated this", "awful service", "worst purchase", "boring plot", "poor"};
        for (int i = 0; i < pos.length; i++) {
            tr.append("positive\t").append(pos[i]).append('\n').append("negative\t").append(neg[i]).append('\n');
        }
        Files.writeString(train, tr);
        Path real = dir.resolve("run-hora");
        String err = hora("finetune", "--train", train.toString(), "--test", train.toString(), "--adapter", "hora",
                "--steps", "2", "--batch-size", "4", "--max-length", "16", "--lr", "5e-2", "--threads", "2",
                "--val-fraction", "0.2", "--output", real.toString());
        if (!Files.isRegularFile(real.resolve("manifest.json"))) {
            throw new IllegalStateException("hora finetune failed: " + err);
        }
        source = ModelSource.resolve(ModelSource.BUILTIN, null);
        bert = RunFolder.importModel(source);
        runs = new java.util.LinkedHashMap<>();
        runs.put("hora", real);
        Nd4j.getRandom().setSeed(11);
        for (String kind : List.of("lora", "mh-lora", "none")) {
            runs.put(kind, derive(real, kind));
        }
        adapterDir = Files.createDirectories(dir.resolve("adapters"));
        PeftModel m = PeftModel.of(bert);
        AdapterSet a = m.loadAdapter("src", runs.get("lora").resolve("adapter"));
        Nd4j.getRandom().setSeed(7);
        eight = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            for (INDArray p : a.parameters().values()) {
                p.addi(Nd4j.randn(p.dataType(), p.shape()).muli(0.05));
            }
            a.parametersChanged();
            String name = "lora" + i;
            m.saveAdapter("src", adapterDir.resolve(name), ModelSource.BUILTIN_HUB_ID, List.of("negative", "positive"), 16);
            eight.add(name);
        }
    }

    /**
     * A run directory like {@code real} with another adapter kind ("none": a linear probe), written by
     * the writers hora finetune uses (settings, labels, model.safetensors, adapter/, manifest.json), its
     * trained tensors drawn at random instead of two optimizer steps (one real finetune is enough).
     */
    private Path derive(Path real, String kind) throws IOException {
        Path run = Files.createDirectories(dir.resolve("run-" + kind));
        ObjectNode s = (ObjectNode) MetricsJson.MAPPER.readTree(real.resolve(FinetuneSettings.FILE).toFile());
        if (kind.equals("none")) {
            s.putNull("adapter");
            s.put("rank", 0);   // a probe's settings, as hora finetune --adapter none writes them
            s.put("alpha", 0.0);
            s.putArray("targets");
        } else {
            s.put("adapter", kind);
        }
        s.put("output", run.toString());
        MetricsJson.write(run.resolve(FinetuneSettings.FILE), s);
        Files.copy(real.resolve(RunFolder.LABELS), run.resolve(RunFolder.LABELS));
        FinetuneSettings fs = FinetuneSettings.read(run.resolve(FinetuneSettings.FILE));
        PeftModel m = RunSpec.model(fs, bert, 2);
        AdapterSet a = m.adapter(PeftModel.DEFAULT);
        for (INDArray p : a.parameters().values()) {
            p.addi(Nd4j.randn(p.dataType(), p.shape()).muli(0.1));
        }
        a.parametersChanged();
        RunFolder.writeModel(run, m);
        if (!kind.equals("none")) {
            m.saveAdapter(PeftModel.DEFAULT, run.resolve(RunFolder.ADAPTER_DIR), ModelSource.BUILTIN_HUB_ID,
                    List.of("negative", "positive"), fs.maxLength());
        }
        RunManifest.write(run, RunManifest.base(real).toMap());   // the same base model as the real run
        return run;
    }

    static synchronized ServeFixtures get() {
        if (instance == null) {
            try {
                instance = new ServeFixtures();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }

    /** A fresh model of the shared import with no adapter (mean pooling for the base, as hora serve). */
    PeftModel model() {
        PeftModel m = PeftModel.builder(bert).pooling(ModelSource.defaultPooling(ModelSource.BUILTIN)).build();
        m.deleteAdapter(PeftModel.DEFAULT);
        return m;
    }

    /** Starts a server on a fresh model. */
    HoraServer start(ServeOptions opt, Map<String, Path> pinned) throws IOException {
        return HoraServer.start(model(), source, opt, pinned);
    }

    /** Runs the hora command line in-process; returns standard output, throws with stderr on failure. */
    static String hora(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Hora.run(new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8),
                args);
        if (code != 0) {
            throw new IllegalStateException("hora " + String.join(" ", args) + " exited " + code + ": "
                    + e.toString(StandardCharsets.UTF_8));
        }
        return o.toString(StandardCharsets.UTF_8);
    }
}
