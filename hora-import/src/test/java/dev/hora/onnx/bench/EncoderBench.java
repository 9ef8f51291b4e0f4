package dev.hora.onnx.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Import time of all-MiniLM-L6-v2, median encoder time at batch x seq (SameDiff vs ONNX Runtime,
 * same thread count) and median training-step time (forward + backward to LoRA A/B on Q and V of
 * every layer, {@link LoraBenchHook}; loss = sum(pooled * C), C a fixed random [b, d]).
 * Run (see hora-import/README.md):
 * <pre>
 * OMP_NUM_THREADS=2 mvn -o -q -pl hora-import -am test-compile -Pbench \
 *     [-Dbench.threads=2 -Dbench.batch=32 -Dbench.seq=64 -Dbench.trainSeq=32 -Dbench.reps=10
 *      -Dbench.helpers=true -Dbench.profile=false -Dbench.ort=true -Dbench.import=true -Dbench.train=true]
 * </pre>
 * {@code bench.profile=true} adds per-op-type timings ({@link OpTimer}) of one extra set of runs.
 */
public final class EncoderBench {
    private EncoderBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("bench.threads", 2);
        int batch = Integer.getInteger("bench.batch", 32);
        int seq = Integer.getInteger("bench.seq", 64);
        int trainSeq = Integer.getInteger("bench.trainSeq", 32);
        int reps = Integer.getInteger("bench.reps", 10);
        boolean profile = Boolean.parseBoolean(System.getProperty("bench.profile", "false"));
        String model = System.getProperty("bench.model", "all-minilm-l6-v2.onnx");
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().allowHelpers(Boolean.parseBoolean(System.getProperty("bench.helpers", "true")));
        Nd4j.create(1).addi(1);   // backend start-up is not import time
        System.out.printf("threads %d (ND4J max master threads, ORT intra-op; OMP_NUM_THREADS=%s), helpers (oneDNN)"
                        + " allowed %s, %d reps after 3 warm-ups%n", threads, System.getenv("OMP_NUM_THREADS"),
                Nd4j.getEnvironment().helpersAllowed(), reps);
        System.out.println(dev.hora.util.Blas.info().describe());

        int importReps = Boolean.parseBoolean(System.getProperty("bench.import", "true")) ? 3 : 1;
        double[] importMs = new double[importReps];
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
        System.out.printf("model %s, %s%n", model, bert.config());
        System.out.printf("import (read + parse + name + check): median %.0f ms %s; SameDiff graph build %.0f ms%n",
                median(importMs), Arrays.toString(round(importMs)), buildMs);

        long[][][] in = inputs(batch, seq, 1);
        Map<String, INDArray> feeds = feeds(in);
        double[] sdMs = time(reps, () -> sd.output(feeds, BertEncoder.LAST_HIDDEN_STATE));
        double sdMed = median(sdMs);
        System.out.printf("inference batch %d x seq %d:%n", batch, seq);
        System.out.printf("  SameDiff     median %.1f ms %s (%s)%n", sdMed, Arrays.toString(round(sdMs)), lastCpu);
        if (profile) {
            System.out.print(profiled(sd, 3, () -> sd.output(feeds, BertEncoder.LAST_HIDDEN_STATE)));
        }
        dev.hora.backbone.BertBackbone kernels = new dev.hora.backbone.BertBackbone(bert.config(),
                bert.weights(), DataType.FLOAT);
        INDArray ids = feeds.get(BertEncoder.INPUT_IDS);
        INDArray mask = feeds.get(BertEncoder.ATTENTION_MASK);
        INDArray types = feeds.get(BertEncoder.TOKEN_TYPE_IDS);
        double[] kMs = time(reps, () -> {
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = dev.hora.kernels.Workspaces.open(
                    dev.hora.kernels.Workspaces.INFER)) {
                kernels.forward(ids, mask, types, Map.of(), false).hidden().reshape(batch, seq, -1).detach();
            }
        });
        double kMed = median(kMs);
        System.out.printf("  kernels      median %.1f ms %s (%s)%n", kMed, Arrays.toString(round(kMs)), lastCpu);
        if (Boolean.parseBoolean(System.getProperty("bench.ort", "true"))) {
            double ortMed = median(ort(model, threads, reps, in));
            System.out.printf("  ONNX Runtime median %.1f ms (%s)%n  ratio SameDiff / ORT = %.2f, kernels / ORT = %.2f%n",
                    ortMed, lastCpu, sdMed / ortMed, kMed / ortMed);
        }

        if (!Boolean.parseBoolean(System.getProperty("bench.train", "true"))) {
            return;
        }
        LoraBenchHook hook = new LoraBenchHook(LoraBenchHook.defaultConfig());
        SameDiff train = SameDiff.create();
        BertEncoder enc = bert.encoder().pooling(Pooling.MEAN).hook(hook).build(train);
        Nd4j.getRandom().setSeed(7);
        SDVariable c = train.constant("loss_weights", Nd4j.randn(DataType.FLOAT, batch, bert.config().hiddenSize()));
        SDVariable loss = train.sum("loss", enc.pooled().mul(c));
        train.setLossVariables(loss);
        List<String> vars = hook.variables();
        Map<String, INDArray> trainFeeds = feeds(inputs(batch, trainSeq, 2));
        double[] trainMs = time(reps, () -> train.calculateGradients(trainFeeds, vars));
        double trainMed = median(trainMs);
        System.out.printf("training step (forward + backward to %d LoRA tensors, r 8, Q and V) batch %d x seq %d:%n",
                vars.size(), batch, trainSeq);
        System.out.printf("  SameDiff     median %.1f ms %s (%s); 75 steps (2400 sentences / 32) %.0f s%n",
                trainMed, Arrays.toString(round(trainMs)), lastCpu, 75 * trainMed / 1000);
        if (profile) {
            System.out.print(profiled(train, 3, () -> train.calculateGradients(trainFeeds, vars)));
        }
    }

    /** ids, mask, types [b, s]: random word ids, every row ends in 0..s/4 padding tokens. */
    private static long[][][] inputs(int batch, int seq, long seed) {
        long[][] ids = new long[batch][seq];
        long[][] mask = new long[batch][seq];
        long[][] types = new long[batch][seq];
        Random r = new Random(seed);
        for (int b = 0; b < batch; b++) {
            int len = seq - r.nextInt(seq / 4);
            for (int t = 0; t < seq; t++) {
                ids[b][t] = t < len ? 1000 + r.nextInt(28000) : 0;
                mask[b][t] = t < len ? 1 : 0;
            }
        }
        return new long[][][] {ids, mask, types};
    }

    private static Map<String, INDArray> feeds(long[][][] in) {
        return Map.of(BertEncoder.INPUT_IDS, Nd4j.createFromArray(in[0]), BertEncoder.ATTENTION_MASK,
                Nd4j.createFromArray(in[1]), BertEncoder.TOKEN_TYPE_IDS, Nd4j.createFromArray(in[2]));
    }

    private static double[] ort(String model, int threads, int reps, long[][][] in) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        byte[] bytes;
        try (InputStream s = EncoderBench.class.getClassLoader().getResourceAsStream(model)) {
            bytes = s.readAllBytes();
        }
        try (OrtSession s = env.createSession(bytes, o);
             OnnxTensor ti = OnnxTensor.createTensor(env, in[0]);
             OnnxTensor tm = OnnxTensor.createTensor(env, in[1]);
             OnnxTensor tt = OnnxTensor.createTensor(env, in[2])) {
            Map<String, OnnxTensor> m = Map.of("input_ids", ti, "attention_mask", tm, "token_type_ids", tt);
            return time(reps, () -> {
                try (OrtSession.Result res = s.run(m)) {
                    res.get(0);
                }
            });
        }
    }

    private static String profiled(SameDiff sd, int runs, Run run) throws Exception {
        OpTimer timer = new OpTimer();
        sd.setListeners(timer);
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            run.run();
        }
        double wall = (System.nanoTime() - t0) / 1e6 / runs;
        sd.setListeners();
        return timer.summary(15, runs, wall);
    }

    interface Run {
        void run() throws Exception;
    }

    private static String lastCpu = "";

    /** Wall ms per rep; keeps the median process CPU time per rep (less load-sensitive) in {@link #lastCpu}. */
    private static double[] time(int reps, Run run) throws Exception {
        for (int i = 0; i < 3; i++) {
            run.run();
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] ms = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            run.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            cpu[i] = (os.getProcessCpuTime() - c0) / 1e6;
        }
        lastCpu = String.format("process CPU median %.0f ms/rep, load average %.1f", median(cpu),
                os.getSystemLoadAverage());
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
