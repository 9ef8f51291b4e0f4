package dev.hora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.io.SafetensorsReader;
import dev.hora.metrics.MetricsJson;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The commands end to end with the real all-MiniLM-L6-v2 on a tiny labelled file: finetune writes
 * every file, evaluate reproduces the run's metrics, predict labels texts, merge gives the same
 * predictions, and a run killed after its first epoch resumes to the same weights as an
 * uninterrupted one.
 */
class FinetuneEndToEndTest {
    @TempDir
    static Path dir;
    static Path train;
    static Path test;
    static Path run;
    static CliRunner finetune;

    static String[] args(Path output, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--train", train.toString(), "--test", test.toString(),
                "--adapter", "hora", "--epochs", "2", "--batch-size", "4", "--max-length", "16", "--lr", "5e-3",
                "--threads", "1", "--output", output.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        String[] pos = {"great phone, works perfectly", "I love this movie", "excellent food", "best purchase ever",
            "wonderful acting", "very happy with it", "highly recommend", "superb quality"};
        String[] neg = {"terrible, broke after a day", "I hated this film", "awful service", "worst purchase ever",
            "boring plot", "very disappointed", "do not go there", "poor quality"};
        StringBuilder tr = new StringBuilder("label\ttext\n");
        StringBuilder te = new StringBuilder("label\ttext\n");
        for (int i = 0; i < pos.length; i++) {
            (i < 6 ? tr : te).append("positive\t").append(pos[i]).append('\n').append("negative\t").append(neg[i]).append('\n');
        }
        train = Files.writeString(dir.resolve("train.tsv"), tr);
        test = Files.writeString(dir.resolve("test.tsv"), te);
        run = dir.resolve("run");
        finetune = CliRunner.run(args(run));
    }

    @Test
    void finetuneWritesEveryFile() throws IOException {
        assertEquals(0, finetune.code(), finetune.err());
        assertTrue(finetune.err().contains("epoch 2/2: validation accuracy"), finetune.err());
        for (String f : List.of("settings.json", "labels.json", "model.safetensors", "checkpoint.safetensors",
                "metrics.json", "training.png", "adapter/adapter_config.json", "adapter/adapter_model.safetensors",
                "adapter/classifier.safetensors", "adapter/classifier_config.json")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        Map<?, ?> metrics = MetricsJson.MAPPER.readValue(run.resolve("metrics.json").toFile(), Map.class);
        assertEquals(2, ((List<?>) metrics.get("validationHistory")).size(), "validated after each epoch");
        assertEquals(2, ((Number) ((Map<?, ?>) metrics.get("validation")).get("examples")).intValue(),
                "--val-fraction 0.1 of 6 per class: 1 per class");
        assertEquals(10, ((Number) ((Map<?, ?>) metrics.get("examples")).get("train")).intValue());
        int best = ((Number) metrics.get("bestStep")).intValue();
        assertTrue(best == 3 || best == 6, "best step is an epoch end: " + best);
        assertTrue(((Number) metrics.get("peakRssBytes")).longValue() > 0);
        BufferedImage png = ImageIO.read(run.resolve("training.png").toFile());
        assertEquals(1000, png.getWidth());
        if (System.getenv("HORA_RUN_CHART_SAMPLE") != null) {
            Files.copy(run.resolve("training.png"), Path.of(System.getenv("HORA_RUN_CHART_SAMPLE")),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Map<?, ?> adapter = MetricsJson.MAPPER.readValue(run.resolve("adapter/adapter_config.json").toFile(), Map.class);
        assertEquals("HORA", adapter.get("peft_type"));
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", adapter.get("base_model_name_or_path"));
        Map<?, ?> head = MetricsJson.MAPPER.readValue(run.resolve("adapter/classifier_config.json").toFile(), Map.class);
        assertEquals("mean", head.get("pooling"), "the built-in MiniLM's pooling");
        assertEquals(List.of("negative", "positive"), head.get("labels"));
        assertEquals(16, head.get("max_length"));
        assertEquals("mean", MetricsJson.MAPPER.readValue(run.resolve("settings.json").toFile(), Map.class).get("pooling"));
    }

    @Test
    void evaluateReproducesTheRunsMetricsAndMergedPredictsTheSame() throws IOException {
        CliRunner eval = CliRunner.run("evaluate", "--model-path", run.toString());
        assertEquals(0, eval.code(), eval.err());
        Map<?, ?> m = MetricsJson.MAPPER.readValue(run.resolve("metrics.json").toFile(), Map.class);
        double acc = ((Number) ((Map<?, ?>) m.get("test")).get("accuracy")).doubleValue();
        assertTrue(eval.out().contains(String.format(java.util.Locale.ROOT, "\"accuracy\" : %s", acc)), eval.out());

        String[] texts = {"what a great film", "awful, it broke", "fine"};
        CliRunner p1 = CliRunner.run(concat(new String[]{"predict", "--model-path", run.toString()}, texts));
        assertEquals(0, p1.code(), p1.err());
        assertEquals(3, p1.out().lines().count(), p1.out());
        Path merged = dir.resolve("merged.sd");
        CliRunner merge = CliRunner.run("merge", "--run", run.toString(), "--output", merged.toString());
        assertEquals(0, merge.code(), merge.err());
        assertTrue(merge.out().contains("0 trainable variables left"), merge.out());
        CliRunner p2 = CliRunner.run(concat(new String[]{"predict", "--model-path", merged.toString()}, texts));
        assertEquals(0, p2.code(), p2.err());
        List<String[]> a = p1.out().lines().map(l -> l.split("\t")).toList();
        List<String[]> b = p2.out().lines().map(l -> l.split("\t")).toList();
        for (int i = 0; i < texts.length; i++) {
            assertEquals(a.get(i)[0], b.get(i)[0], "label of " + texts[i]);
            assertEquals(Double.parseDouble(a.get(i)[1]), Double.parseDouble(b.get(i)[1]), 2e-4, "probability");
        }
        CliRunner evalMerged = CliRunner.run("evaluate", "--model-path", merged.toString());
        assertEquals(0, evalMerged.code(), evalMerged.err());
        assertTrue(evalMerged.out().contains(String.format(java.util.Locale.ROOT, "\"accuracy\" : %s", acc)));
    }

    /** A separate JVM is killed right after its first epoch's checkpoint; --resume finishes the run. */
    @Test
    void aKilledRunResumesToTheSameWeights() throws Exception {
        Path killed = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "--add-modules", "jdk.incubator.vector",   // the same kernels (SIMD) as this JVM
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir", "target/javacpp-cache"),
                Hora.class.getName()));
        cmd.addAll(List.of(args(killed)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        boolean sawEpoch = false;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.contains("epoch 1/2: validation accuracy")) {
                    sawEpoch = true;
                    Thread.sleep(300);            // the checkpoint is written right after this line
                    break;
                }
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(sawEpoch, "the child reached epoch 1");
        assertTrue(Files.isRegularFile(killed.resolve("checkpoint.safetensors")), "checkpoint of epoch 1 readable");
        CliRunner resumed = CliRunner.run(args(killed, "--resume"));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming after epoch 1"), resumed.err());
        Map<String, INDArray> a = SafetensorsReader.read(run.resolve("model.safetensors")).tensors();
        Map<String, INDArray> b = SafetensorsReader.read(killed.resolve("model.safetensors")).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertTrue(a.get(k).equalsWithEps(b.get(k), 1e-5), k + " equal after resume");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = new String[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
