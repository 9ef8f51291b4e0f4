package dev.hora.bench;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.AdapterOps;
import dev.hora.adapter.Adapters;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Dense {@code x (W + dW)} against factorised {@code x W + [(x A_i) B_i]}: median time of a forward
 * pass and of a training step (forward + gradients of the adapter parameters) for one attention
 * layer's adapted projections (Q and V) at all-MiniLM-L6-v2's shape (d = 384, H = 12), float.
 *
 * <pre>
 *   mvn -o -q -pl hora-layers test-compile -Padapter-bench [-Dbench.args="tokens reps"]
 * </pre>
 * (its own JVM through bin/java-blas, so OpenBLAS runs the core the CPU supports; the first line names it)
 */
public final class AdapterBench {

    public static void main(String[] args) {
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        long[] tokenCounts = args.length > 0 ? new long[]{Long.parseLong(args[0])} : new long[]{64, 512, 2048};
        long d = 384;
        int heads = 12;
        System.out.printf("adapter apply-mode benchmark: d=%d H=%d r=8 targets=Q,V, float, %d threads, median of %d%n",
                d, heads, Runtime.getRuntime().availableProcessors(), reps);
        System.out.println(dev.hora.util.Blas.info().describe());
        System.out.printf("%-8s %7s %14s %14s %14s %14s%n", "kind", "tokens", "dense fwd ms", "fact fwd ms",
                "dense step ms", "fact step ms");
        for (AdapterKind kind : AdapterKind.values()) {
            for (long n : tokenCounts) {
                AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(8).build();
                double[] t = new double[4];
                int i = 0;
                for (ApplyMode mode : new ApplyMode[]{ApplyMode.DENSE, ApplyMode.FACTORISED}) {   // not AUTO
                    Bench b = new Bench(cfg, mode, n, d, heads);
                    t[i] = b.median(false, reps);
                    t[i + 2] = b.median(true, reps);
                    i++;
                }
                System.out.printf("%-8s %7d %14.3f %14.3f %14.3f %14.3f%n", kind.cliName(), n, t[0], t[1], t[2], t[3]);
            }
        }
    }

    /** One layer's Q and V projections with an adapter, in a given mode. */
    private static final class Bench {
        final SameDiff sd = SameDiff.create();
        final List<String> trainable;
        final Map<String, INDArray> feed = new HashMap<>();

        Bench(AdapterConfig cfg, ApplyMode mode, long n, long d, int heads) {
            Adapter a = Adapters.forAttention(cfg, d, heads);
            Map<String, SDVariable> vars = new HashMap<>();
            a.initParams(DataType.FLOAT).forEach((k, v) -> vars.put(k, sd.var(k, v.addi(Nd4j.rand(DataType.FLOAT, v.shape()).muli(0.01)))));
            trainable = new ArrayList<>(vars.keySet());
            SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, d);
            feed.put("x", Nd4j.rand(DataType.FLOAT, n, d));
            SDVariable loss = null;
            for (Target t : cfg.getTargets()) {
                SDVariable w = sd.constant(t + "W", Nd4j.rand(DataType.FLOAT, d, d));
                SDVariable y = AdapterOps.project(sd, x, x, w, null, a.factors(sd, vars, t),
                        new ProjectionShape(d, d, heads), mode);
                loss = loss == null ? y.mul(y).mean() : loss.add(y.mul(y).mean());
            }
            loss.rename("loss");
            loss.markAsLoss();
        }

        double median(boolean step, int reps) {
            double[] ms = new double[reps];
            for (int i = -3; i < reps; i++) {
                System.gc();   // ND4J frees native buffers only when their Java wrappers are collected
                long t0 = System.nanoTime();
                if (step) {
                    sd.calculateGradients(feed, trainable);
                } else {
                    sd.output(feed, "loss");
                }
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            return ms[reps / 2];
        }
    }
}
