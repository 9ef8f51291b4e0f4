package dev.hora.peft.bench;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.data.Example;
import dev.hora.data.TextDataset;
import dev.hora.dl4j.PretrainedEncoder;
import dev.hora.dl4j.TextDataSetIterator;
import dev.hora.fit.Fit;
import dev.hora.fit.FitListener;
import dev.hora.fit.FitOptions;
import dev.hora.kernels.Parallel;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.PeftModel;
import dev.hora.text.TokenBatcher;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * One training epoch of the same job two ways: DL4J's {@code ComputationGraph.fit} on a network with a
 * {@link PretrainedEncoder} layer, and the library's {@link Fit} loop ({@code hora finetune}'s):
 * <pre>
 *   all-MiniLM-L6-v2, LoRA r 8 / alpha 16 on query and value, mean pooling, 2-class softmax head, Adam 1e-3,
 *   bench.n sentences of 6-24 words (seeded), batch bench.batch, length-bucketed seeded order, bench.threads threads
 *   per rep: one Fit epoch and one DL4J epoch (Fit first in even reps, DL4J first in odd ones); rep 0 is a warm-up
 * </pre>
 * Prints each epoch's wall and process CPU seconds, the medians and their ratios DL4J / Fit (target: at most 1.15).
 * Run: {@code mvn -o -q -pl hora-import -am test-compile -Pdl4j-bench [-Dbench.n=256 -Dbench.reps=4 ...]}.
 */
public final class Dl4jFitBench {
    private static final String[] WORDS = ("the a this that film phone food service story acting battery screen plot "
            + "waiter price sound camera music ending place staff menu was is were really very quite not too so and "
            + "but good great excellent lovely superb fine bad awful terrible poor boring broken slow cold fresh "
            + "loud quiet cheap expensive recommend again never always").split(" ");

    private Dl4jFitBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("bench.threads", 2);
        int n = Integer.getInteger("bench.n", 256);
        int batch = Integer.getInteger("bench.batch", 8);
        int reps = Integer.getInteger("bench.reps", 4);
        Parallel.threads(threads);
        System.out.println(dev.hora.util.Blas.info().describe());
        System.out.printf("all-MiniLM-L6-v2, LoRA r 8 on q,v; %d sentences, batch %d, %d threads; %d reps (first = warm-up)%n",
                n, batch, threads, reps);
        TextDataset data = sentences(n, 11);
        AdapterConfig lora = AdapterConfig.builder().kind(AdapterKind.LORA).rank(8).alpha(16)
                .targets(Target.Q, Target.V).seed(42).build();
        try (TokenBatcher tok = TokenBatcher.fromResource("all-minilm-l6-v2-tokenizer.json", 64)) {
            PeftModel model = PeftModel.of(BertOnnx.fromResource("all-minilm-l6-v2.onnx"));
            model.addAdapter("a", lora, null, Pooling.MEAN, 2, 42);
            ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(42)
                    .updater(new Adam(1e-3)).graphBuilder().addInputs("ids")
                    .addLayer("encoder", PretrainedEncoder.builder().encoder("all-minilm-l6-v2").adapter(lora).build(), "ids")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .activation(Activation.SOFTMAX).nIn(384).nOut(2).build(), "encoder")
                    .setOutputs("out").build());
            net.init();
            TextDataSetIterator it = new TextDataSetIterator(tok, data, batch, 42, true);
            double[] fit = new double[reps];
            double[] dl4j = new double[reps];
            double[] fitCpu = new double[reps];
            double[] dl4jCpu = new double[reps];
            for (int r = 0; r < reps; r++) {
                for (int k = 0; k < 2; k++) {
                    if ((k == 0) == (r % 2 == 0)) {   // Fit first in even reps, DL4J first in odd ones
                        double[] t = fitEpoch(model, data, tok, batch, 42 + r);
                        fit[r] = t[0];
                        fitCpu[r] = t[1];
                    } else {
                        it.reset();
                        long c0 = cpu();
                        long d0 = System.nanoTime();
                        net.fit(it);
                        dl4j[r] = (System.nanoTime() - d0) / 1e9;
                        dl4jCpu[r] = (cpu() - c0) / 1e9;
                    }
                }
                System.out.printf("rep %d: Fit epoch %.2f s (CPU %.2f s), DL4J fit epoch %.2f s (CPU %.2f s)%n", r, fit[r],
                        fitCpu[r], dl4j[r], dl4jCpu[r]);
            }
            double fc = median(Arrays.copyOfRange(fitCpu, 1, reps));
            double dc = median(Arrays.copyOfRange(dl4jCpu, 1, reps));
            System.out.printf("median process CPU per epoch: Fit %.2f s, DL4J %.2f s, ratio %.3f%n", fc, dc, dc / fc);
            double f = median(Arrays.copyOfRange(fit, 1, reps));
            double d = median(Arrays.copyOfRange(dl4j, 1, reps));
            System.out.printf("median epoch (after warm-up): Fit %.2f s, DL4J %.2f s, ratio DL4J / Fit %.3f (target <= 1.15)%n",
                    f, d, d / f);
        }
    }

    /** One Fit epoch: {wall seconds, process CPU seconds} from its first step to its last. */
    private static double[] fitEpoch(PeftModel model, TextDataset data, TokenBatcher tok, int batch, long seed)
            throws java.io.IOException {
        long[] t = new long[4];
        Fit.fit(model, "a", data, null, FitOptions.builder(tok).learningRate(1e-3).epochs(1).batchSize(batch)
                .seed(seed).listener(new FitListener() {
                    @Override
                    public void onEpochStart(int epoch, int epochs, int steps) {
                        t[2] = cpu();
                        t[0] = System.nanoTime();
                    }

                    @Override
                    public void onEpochTrained(int epoch, int epochs) {
                        t[1] = System.nanoTime();
                        t[3] = cpu();
                    }
                }).build());
        return new double[]{(t[1] - t[0]) / 1e9, (t[3] - t[2]) / 1e9};
    }

    /** CPU time of the whole process (all threads), ns. */
    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** n sentences of 6-24 words from a small vocabulary, label 1 when a positive word comes first. */
    static TextDataset sentences(int n, long seed) {
        Random r = new Random(seed);
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int len = 6 + r.nextInt(19);
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < len; j++) {
                s.append(j == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            }
            ex.add(new Example(s.toString(), i % 2));
        }
        return new TextDataset("bench", ex, List.of("0", "1"));
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
