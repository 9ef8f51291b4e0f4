package dev.hora.bench;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.Adapters;
import dev.hora.adapter.FactorGraph;
import dev.hora.adapter.FactorKernels;
import dev.hora.adapter.FactorSource;
import dev.hora.adapter.Inits;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.util.QuietStdout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-step cost of the adapters' factors on the kernel engine: {@link FactorGraph} (SameDiff) against
 * {@link FactorKernels} (explicit), forward + backward, at all-MiniLM-L6-v2's shape (6 layers, d = 384,
 * H = 12, r = 8, targets Q, V, defaults incl. apply mode AUTO), float. Median main-thread CPU time
 * (ThreadMXBean, so other load on a shared machine does not count) and wall time over {@code reps}
 * steps after warm-up; one libnd4j thread as on the kernel engine (cli Backend); prints, asserts nothing.
 * <pre>
 *   bin/java-blas -cp hora-layers/target/test-classes:hora-layers/target/classes:$CP dev.hora.bench.FactorBench [reps]
 * </pre>
 */
public final class FactorBench {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxThreads(1);        // as the kernel engine (cli Backend)
        org.nd4j.linalg.factory.Nd4j.getEnvironment().setMaxMasterThreads(1);
        System.out.printf("factor forward+backward, MiniLM shapes (6 layers, d=384, H=12, r=8, Q,V), float, median of %d%n", reps);
        System.out.printf("%-8s %-13s %12s %12s %12s %12s%n", "kind", "source", "fwd cpu ms", "bwd cpu ms", "step cpu ms",
                "step wall ms");
        for (AdapterKind kind : AdapterKind.values()) {
            AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(8).targets(Target.Q, Target.V).build();
            Map<Integer, Adapter> adapters = new LinkedHashMap<>();
            Map<Integer, Map<String, INDArray>> params = new LinkedHashMap<>();
            Map<Target, ProjectionShape> shapes = Map.of(Target.Q, new ProjectionShape(384, 384, 12),
                    Target.V, new ProjectionShape(384, 384, 12));
            for (int l = 0; l < 6; l++) {
                Adapter a = Adapters.create(cfg, shapes);
                adapters.put(l, a);
                Map<String, INDArray> p = new LinkedHashMap<>();
                SplittableRandom rnd = new SplittableRandom(l);
                a.paramShapes().forEach((n, s) -> p.put(n, Inits.uniform(rnd, 0.1, DataType.FLOAT, s)));
                params.put(l, p);
            }
            run(kind, "FactorGraph", new FactorGraph(adapters, params, FactorBench::name), reps);
            run(kind, "FactorKernels", new FactorKernels(adapters, params, FactorBench::name), reps);
        }
    }

    private static String name(int layer, String p) {
        return "adapter.layer." + layer + "." + p;
    }

    private static void run(AdapterKind kind, String label, FactorSource src, int reps) {
        Map<FactorSource.Key, FactorSource.Values> grads = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(1);
        src.forward().forEach((k, v) -> grads.put(k, new FactorSource.Values(v.mode(), like(rnd, v.a()),
                like(rnd, v.b()), like(rnd, v.deltaW()))));
        QuietStdout.call(() -> src.backward(grads));
        for (int i = 0; i < 5; i++) {
            src.forward();
            src.backward(grads);
        }
        double[] fwd = new double[reps];
        double[] bwd = new double[reps];
        double[] wall = new double[reps];
        for (int i = 0; i < reps; i++) {
            long w0 = System.nanoTime();
            long c0 = MX.getCurrentThreadCpuTime();
            src.forward();
            long c1 = MX.getCurrentThreadCpuTime();
            src.backward(grads);
            long c2 = MX.getCurrentThreadCpuTime();
            wall[i] = (System.nanoTime() - w0) / 1e6;
            fwd[i] = (c1 - c0) / 1e6;
            bwd[i] = (c2 - c1) / 1e6;
        }
        double[] step = new double[reps];
        Arrays.setAll(step, i -> fwd[i] + bwd[i]);
        System.out.printf("%-8s %-13s %12.2f %12.2f %12.2f %12.2f%n", kind.cliName(), label, median(fwd), median(bwd),
                median(step), median(wall));
    }

    private static INDArray like(SplittableRandom rnd, INDArray a) {
        return a == null ? null : Inits.uniform(rnd, 1.0, a.dataType(), a.shape());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
