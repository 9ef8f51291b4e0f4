package dev.hora.onnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.BertEncoder;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Import time of all-MiniLM-L6-v2 and median encoder time at batch x seq, SameDiff vs ONNX Runtime,
 * with the same thread count. Run (see hora-import/README.md):
 * <pre>
 * OMP_NUM_THREADS=2 mvn -o -q -pl hora-import -am test-compile -Pbench \
 *     [-Dbench.threads=2 -Dbench.batch=32 -Dbench.seq=64 -Dbench.reps=10]
 * </pre>
 */
public final class EncoderBench {
    private EncoderBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("bench.threads", 2);
        int batch = Integer.getInteger("bench.batch", 32);
        int seq = Integer.getInteger("bench.seq", 64);
        int reps = Integer.getInteger("bench.reps", 10);
        String model = System.getProperty("bench.model", "all-minilm-l6-v2.onnx");
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.create(1).addi(1);   // backend start-up is not import time

        double[] importMs = new double[3];
        ImportedBert bert = null;
        for (int i = 0; i < importMs.length; i++) {
            long t0 = System.nanoTime();
            bert = BertOnnx.fromResource(model);
            importMs[i] = (System.nanoTime() - t0) / 1e6;
        }
        long t0 = System.nanoTime();
        SameDiff sd = SameDiff.create();
        bert.encoder().build(sd);
        double buildMs = (System.nanoTime() - t0) / 1e6;

        long[][] ids = new long[batch][seq];
        long[][] mask = new long[batch][seq];
        long[][] types = new long[batch][seq];
        Random r = new Random(1);
        for (int b = 0; b < batch; b++) {
            int len = seq - r.nextInt(seq / 4);  // some padding
            for (int t = 0; t < seq; t++) {
                ids[b][t] = t < len ? 1000 + r.nextInt(28000) : 0;
                mask[b][t] = t < len ? 1 : 0;
            }
        }
        Map<String, INDArray> feeds = Map.of(BertEncoder.INPUT_IDS, Nd4j.createFromArray(ids),
                BertEncoder.ATTENTION_MASK, Nd4j.createFromArray(mask), BertEncoder.TOKEN_TYPE_IDS,
                Nd4j.createFromArray(types));
        double[] sdMs = time(reps, () -> sd.output(feeds, BertEncoder.LAST_HIDDEN_STATE));

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        byte[] bytes;
        try (InputStream in = EncoderBench.class.getClassLoader().getResourceAsStream(model)) {
            bytes = in.readAllBytes();
        }
        double[] ortMs;
        try (OrtSession s = env.createSession(bytes, o);
             OnnxTensor ti = OnnxTensor.createTensor(env, ids);
             OnnxTensor tm = OnnxTensor.createTensor(env, mask);
             OnnxTensor tt = OnnxTensor.createTensor(env, types)) {
            Map<String, OnnxTensor> in = Map.of("input_ids", ti, "attention_mask", tm, "token_type_ids", tt);
            ortMs = time(reps, () -> {
                try (OrtSession.Result res = s.run(in)) {
                    res.get(0);
                }
            });
        }
        double sdMed = median(sdMs);
        double ortMed = median(ortMs);
        System.out.printf("model %s, %s%n", model, bert.config());
        System.out.printf("threads %d (ND4J max master threads, ORT intra-op; OMP_NUM_THREADS=%s), batch %d x seq %d,"
                + " %d reps after 3 warm-ups%n", threads, System.getenv("OMP_NUM_THREADS"), batch, seq, reps);
        System.out.printf("import (parse + name + check): median %.0f ms %s; SameDiff graph build %.0f ms%n",
                median(importMs), Arrays.toString(round(importMs)), buildMs);
        System.out.printf("SameDiff     median %.1f ms %s%n", sdMed, Arrays.toString(round(sdMs)));
        System.out.printf("ONNX Runtime median %.1f ms %s%n", ortMed, Arrays.toString(round(ortMs)));
        System.out.printf("ratio SameDiff / ORT = %.2f%n", sdMed / ortMed);
    }

    interface Run {
        void run() throws Exception;
    }

    private static double[] time(int reps, Run run) throws Exception {
        for (int i = 0; i < 3; i++) {
            run.run();
        }
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long[] round(double[] v) {
        return Arrays.stream(v).mapToLong(Math::round).toArray();
    }
}
