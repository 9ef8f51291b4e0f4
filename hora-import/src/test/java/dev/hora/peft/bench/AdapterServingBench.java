package dev.hora.peft.bench;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.kernels.Parallel;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.PeftModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Many named adapters on one all-MiniLM-L6-v2 backbone (LoRA r 8 on query and value, as the issue's
 * targets ask), batch x seq random tokens, {@code bench.threads} kernel threads; prints medians:
 * <pre>
 *   predict latency with 1, 8 and 100 adapters loaded (one adapter on every row)
 *   a batch whose rows use 8 different adapters against the same batch on one adapter (throughput ratio)
 *   the base model (no adapter) for reference; bytes held by the adapters and by the backbone
 * </pre>
 * Run: {@code mvn -o -q -pl hora-import -am test-compile -Pserving-bench [-Dbench.threads=2 ...]}.
 */
public final class AdapterServingBench {
    private AdapterServingBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("bench.threads", 2);
        int batch = Integer.getInteger("bench.batch", 32);
        int seq = Integer.getInteger("bench.seq", 64);
        int reps = Integer.getInteger("bench.reps", 15);
        Parallel.threads(threads);
        System.out.println(dev.hora.util.Blas.info().describe());
        System.out.printf("all-MiniLM-L6-v2, LoRA r 8 on q,v; batch %d x seq %d, %d threads, median of %d (after 3 warm-ups)%n",
                batch, seq, threads, reps);
        ImportedBert bert = BertOnnx.fromResource("all-minilm-l6-v2.onnx");
        Random r = new Random(1);
        long[][] ids = new long[batch][seq];
        long[][] mask = new long[batch][seq];
        for (int i = 0; i < batch; i++) {
            for (int t = 0; t < seq; t++) {
                ids[i][t] = 1000 + r.nextInt(29000);
                mask[i][t] = 1;
            }
        }
        INDArray in = Nd4j.createFromArray(ids);
        INDArray m = Nd4j.createFromArray(mask);
        INDArray types = Nd4j.zeros(DataType.INT64, batch, seq);
        AdapterConfig lora = AdapterConfig.builder().kind(AdapterKind.LORA).rank(8).alpha(16)
                .targets(Target.Q, Target.V).build();
        PeftModel model = PeftModel.of(bert);
        long backboneBytes = bert.weights().values().stream().mapToLong(a -> a.length() * 4).sum();
        double base = median(reps, () -> model.pooled(in, m, types));
        System.out.printf("base model (no adapter):           %7.1f ms%n", base);
        for (int n : new int[]{1, 8, 100}) {
            while (model.adapterNames().size() < n) {
                int i = model.adapterNames().size();
                var a = model.addAdapter("a" + i, lora.toBuilder().seed(i).build(), null, Pooling.MEAN, 2, i);
                a.parameters().forEach((k, v) -> v.addi(Nd4j.randn(i * 31L + k.hashCode(), v.shape()).castTo(v.dataType()).muli(0.01)));
            }
            model.setActiveAdapter("a0");
            double ms = median(reps, () -> model.predictProba(in, m, types));
            System.out.printf("%3d adapters loaded, one active:  %7.1f ms  (%.1f ex/s)   adapters hold %.1f MB, backbone %.1f MB (once)%n",
                    n, ms, batch / (ms / 1e3), model.adapterBytes() / 1e6, backboneBytes / 1e6);
        }
        List<String> one = Collections.nCopies(batch, "a0");
        List<String> mixed = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            mixed.add("a" + (i % 8));
        }
        double[][] pair = interleaved(reps, () -> model.predictProba(in, m, types, one),
                () -> model.predictProba(in, m, types, mixed));
        double oneMs = pair[0][reps / 2];
        double mixedMs = pair[1][reps / 2];
        System.out.printf("rows of 1 adapter:  %7.1f ms | rows of 8 adapters (row i: adapter i mod 8): %7.1f ms"
                + " | mixed/one throughput %.2fx (medians, the two timed alternately)%n", oneMs, mixedMs, oneMs / mixedMs);
        System.out.println(Arrays.toString(new double[]{base, oneMs, mixedMs}));
    }

    /** Both runs timed alternately, {@code reps} times each after 3 warm-ups of each: sorted times [2][reps]. */
    private static double[][] interleaved(int reps, Supplier<INDArray> a, Supplier<INDArray> b) {
        for (int i = 0; i < 3; i++) {
            a.get();
            b.get();
        }
        double[][] ms = new double[2][reps];
        for (int i = 0; i < reps; i++) {
            for (int k = 0; k < 2; k++) {
                long t = System.nanoTime();
                (k == 0 ? a : b).get();
                ms[k][i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms[0]);
        Arrays.sort(ms[1]);
        return ms;
    }

    private static double median(int reps, Supplier<INDArray> run) {
        for (int i = 0; i < 3; i++) {
            run.get();
        }
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            run.get();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[reps / 2];
    }
}
