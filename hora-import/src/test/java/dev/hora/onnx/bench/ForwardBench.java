package dev.hora.onnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.hora.backbone.BertBackbone;
import dev.hora.kernels.Parallel;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference of all-MiniLM-L6-v2 (last hidden state, no padding), the kernel engine against ONNX Runtime 1.29
 * with the same threads, at several batch x sequence shapes (not a test). Each engine is timed in its own block
 * after a warm-up of ~25,000 tokens (the Vector API loops compile late; ORT's intra-op threads spin after a run
 * and slow whatever runs next, so the two are never alternated call by call), blocks in the order kernels, ORT,
 * kernels, ORT; medians. Args: THREADS [SHAPES, e.g. 1x12,8x16,32x12,32x64]. Run with
 * {@code bin/java-blas -Xss4m --add-modules jdk.incubator.vector -cp <hora-import test classpath>
 * dev.hora.onnx.bench.ForwardBench 2}.
 */
public final class ForwardBench {
    private ForwardBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        String shapes = args.length > 1 ? args[1] : "1x12,8x16,32x12,32x64";
        Parallel.threads(threads);
        ImportedBert bert = BertOnnx.fromResource("all-minilm-l6-v2.onnx");
        BertBackbone kernels = BertBackbone.of(bert);
        byte[] bytes;
        try (InputStream s = ForwardBench.class.getClassLoader().getResourceAsStream("all-minilm-l6-v2.onnx")) {
            bytes = s.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        System.out.printf(Locale.ROOT, "%s, %d threads; %s%n", dev.hora.util.Blas.info().describe(), threads,
                cpu());
        try (OrtSession session = env.createSession(bytes, o)) {
            for (String shape : shapes.split(",")) {
                int b = Integer.parseInt(shape.split("x")[0]);
                int s = Integer.parseInt(shape.split("x")[1]);
                long[][][] in = inputs(b, s);
                INDArray ids = Nd4j.createFromArray(in[0]);
                INDArray mask = Nd4j.createFromArray(in[1]);
                INDArray types = Nd4j.createFromArray(in[2]);
                Runnable k = () -> {
                    try (MemoryWorkspace ws = Workspaces.open(Workspaces.INFER)) {
                        kernels.forward(ids, mask, types, Map.of(), false).hidden().detach();
                    }
                };
                try (OnnxTensor ti = OnnxTensor.createTensor(env, in[0]);
                     OnnxTensor tm = OnnxTensor.createTensor(env, in[1]);
                     OnnxTensor tt = OnnxTensor.createTensor(env, in[2])) {
                    Map<String, OnnxTensor> feed = Map.of("input_ids", ti, "attention_mask", tm, "token_type_ids", tt);
                    Runnable r = () -> {
                        try (OrtSession.Result res = session.run(feed)) {
                            res.get(0);
                        } catch (ai.onnxruntime.OrtException e) {
                            throw new IllegalStateException(e);
                        }
                    };
                    int reps = Math.max(7, 8192 / (b * s));
                    int warm = Math.max(3, 25_000 / (b * s));
                    double k1 = block(k, warm, reps);
                    double o1 = block(r, warm, reps);
                    double k2 = block(k, 3, reps);
                    double o2 = block(r, 3, reps);
                    System.out.printf(Locale.ROOT, "batch %2d x seq %2d: kernels %.2f / %.2f ms, ORT %.2f / %.2f ms,"
                            + " kernels / ORT %.2f / %.2f%n", b, s, k1, k2, o1, o2, k1 / o1, k2 / o2);
                }
            }
        }
        System.exit(0);
    }

    /** Median ms of {@code reps} calls after {@code warm} untimed ones. */
    private static double block(Runnable call, int warm, int reps) {
        for (int i = 0; i < warm; i++) {
            call.run();
        }
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }

    /** ids (random words), mask (all 1), types (0) [b, s]. */
    private static long[][][] inputs(int b, int s) {
        long[][] ids = new long[b][s];
        long[][] mask = new long[b][s];
        long[][] types = new long[b][s];
        Random r = new Random(1);
        for (int i = 0; i < b; i++) {
            for (int t = 0; t < s; t++) {
                ids[i][t] = 1000 + r.nextInt(28000);
                mask[i][t] = 1;
            }
        }
        return new long[][][]{ids, mask, types};
    }

    private static String cpu() throws java.io.IOException {
        return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceAll(".*:\\s*", ""))
                .orElse("?") + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }
}
