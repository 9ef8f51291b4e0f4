package dev.hora.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.io.SafetensorsHeader;
import dev.hora.io.SafetensorsReader;
import dev.hora.metrics.MetricsJson;
import java.awt.image.BufferedImage;
import java.io.IOException;
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
 * predictions, and runs killed mid-epoch resume bit-identical to an uninterrupted one.
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
        for (String f : List.of("settings.json", "labels.json", "model.safetensors", "checkpoint.safetensors", "manifest.json",
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
        // a flipped byte of the merged file is caught by the sidecar's SHA-256
        byte[] bytes = Files.readAllBytes(merged);
        bytes[bytes.length / 2] ^= 0x04;
        Files.write(merged, bytes);
        CliRunner flipped = CliRunner.run("predict", "--model-path", merged.toString(), "fine");
        assertEquals(1, flipped.code(), flipped.err());
        assertTrue(flipped.err().contains(merged + ": SHA-256"), flipped.err());
    }

    /**
     * A separate JVM checkpointing every step is SIGKILLed mid-epoch (after step 2 of epoch 1, and
     * after step 4 = mid epoch 2, each time as soon as a checkpoint write is seen in progress if
     * the poll catches one); --resume then ends bit-identical to the uninterrupted run: every
     * trained tensor, every updater state, the counters and the metrics history.
     */
    @Test
    void runsKilledMidEpochResumeBitIdentical() throws Exception {
        for (int killAt : new int[] {2, 4}) {
            Path killed = dir.resolve("killed-" + killAt);
            boolean duringWrite = killChild(killed, killAt);
            Path ckpt = killed.resolve("checkpoint.safetensors");
            assertTrue(Files.isRegularFile(ckpt), "a checkpoint survives the kill");
            long step = Long.parseLong(SafetensorsHeader.read(ckpt).metadata().get("hora.step"));
            assertTrue(step >= killAt - 1 && step < 6, "killed mid-run at step " + step);
            // what a kill during a checkpoint write leaves behind (the poll may or may not have caught one)
            Path stale = Files.write(killed.resolve(".checkpoint.safetensors.123456.tmp"), new byte[] {1, 2, 3});
            CliRunner resumed = CliRunner.run(args(killed, "--resume", "--checkpoint-every", "1"));
            assertEquals(0, resumed.code(), resumed.err());
            assertTrue(resumed.err().contains("resuming at step " + step), resumed.err());
            assertTrue(Files.notExists(stale), "stale temporary removed");
            try (var files = Files.list(killed)) {
                assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporaries left");
            }
            assertBitIdentical(run.resolve("model.safetensors"), killed.resolve("model.safetensors"));
            assertBitIdentical(run.resolve("checkpoint.safetensors"), ckpt);
            assertEquals(SafetensorsHeader.read(run.resolve("checkpoint.safetensors")).metadata().get("hora.history"),
                    SafetensorsHeader.read(ckpt).metadata().get("hora.history"), "metrics history");
            Map<?, ?> a = MetricsJson.MAPPER.readValue(run.resolve("metrics.json").toFile(), Map.class);
            Map<?, ?> b = MetricsJson.MAPPER.readValue(killed.resolve("metrics.json").toFile(), Map.class);
            assertEquals(a.get("test"), b.get("test"));
            assertEquals(a.get("validation"), b.get("validation"));
            assertEquals(a.get("validationHistory"), b.get("validationHistory"));
            assertEquals(a.get("bestStep"), b.get("bestStep"));
            assertEquals(2, ((Number) b.get("processes")).intValue(), "metrics count both processes");
            System.out.printf("killed at step %d%s, resumed bit-identical%n", step, duringWrite ? " during a write" : "");
        }
    }

    /** Starts the run in a child JVM and SIGKILLs it once checkpoint step >= killAt (or a write of it is in progress). */
    private static boolean killChild(Path out, int killAt) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "--add-modules", "jdk.incubator.vector",   // the same kernels (SIMD) as this JVM
                "-cp", System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir", "target/javacpp-cache"),
                Hora.class.getName()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {   // the same kernels as this JVM
            cmd.addAll(1, List.of("--add-modules", "jdk.incubator.vector"));
        }
        cmd.addAll(List.of(args(out, "--checkpoint-every", "1")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path ckpt = out.resolve("checkpoint.safetensors");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        boolean duringWrite = false;
        try {
            while (p.isAlive() && System.nanoTime() < deadline) {
                long step = Files.isRegularFile(ckpt) ? Long.parseLong(SafetensorsHeader.read(ckpt).metadata()
                        .get("hora.step")) : -1;
                if (step >= killAt - 1 && writing(out)) {
                    duringWrite = true;
                    break;
                }
                if (step >= killAt) {
                    break;
                }
                Thread.sleep(1);
            }
        } finally {
            p.destroyForcibly();   // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(Files.notExists(out.resolve("manifest.json")), "the child was killed before it finished");
        return duringWrite;
    }

    private static boolean writing(Path out) throws IOException {
        try (var files = Files.list(out)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(".checkpoint.safetensors."));
        }
    }

    private static void assertBitIdentical(Path expected, Path actual) throws IOException {
        Map<String, INDArray> a = SafetensorsReader.read(expected).tensors();
        Map<String, INDArray> b = SafetensorsReader.read(actual).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(a.get(k).dataType(), b.get(k).dataType(), k);
            assertArrayEquals(a.get(k).shape(), b.get(k).shape(), k);
            assertArrayEquals(a.get(k).dup().data().asDouble(), b.get(k).dup().data().asDouble(), 0.0,
                    k + " is not bit-identical after resume");
        }
    }

    @Test
    void mergeToOnnxRunsOnOnnxRuntimeWithTheAdaptedOutput() throws Exception {
        Path onnx = dir.resolve("merged.onnx");
        CliRunner merge = CliRunner.run("merge", "--run", run.toString(), "--format", "onnx", "--output", onnx.toString());
        assertEquals(0, merge.code(), merge.err());
        dev.hora.finetune.RunFolder.Loaded loaded = dev.hora.finetune.RunFolder.load(run);
        dev.hora.text.Batch b;
        try (dev.hora.text.TokenBatcher tok = loaded.source().batcher(16)) {
            b = tok.encode(List.of("what a great film", "awful, it broke", "fine"));
        }
        float[][] want = loaded.model().pooled(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray())
                .toFloatMatrix();
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession s = env.createSession(onnx.toString(), new ai.onnxruntime.OrtSession.SessionOptions());
             ai.onnxruntime.OnnxTensor ids = ai.onnxruntime.OnnxTensor.createTensor(env, b.inputIds());
             ai.onnxruntime.OnnxTensor mask = ai.onnxruntime.OnnxTensor.createTensor(env, b.attentionMask());
             ai.onnxruntime.OnnxTensor types = ai.onnxruntime.OnnxTensor.createTensor(env, b.tokenTypeIds());
             ai.onnxruntime.OrtSession.Result r = s.run(Map.of("input_ids", ids, "attention_mask", mask,
                     "token_type_ids", types))) {
            float[][][] h = (float[][][]) r.get(0).getValue();
            for (int i = 0; i < want.length; i++) {
                long n = java.util.Arrays.stream(b.attentionMask()[i]).sum();
                for (int j = 0; j < want[i].length; j++) {
                    double sum = 0;
                    for (int t = 0; t < n; t++) {
                        sum += h[i][t][j];
                    }
                    assertEquals(want[i][j], sum / n, 1e-5, "pooled[" + i + "][" + j + "] on ONNX Runtime");
                }
            }
        }
        CliRunner probe = CliRunner.run("merge", "--run", run.toString(), "--format", "tflite", "--output", onnx.toString());
        assertEquals(2, probe.code(), probe.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = new String[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
