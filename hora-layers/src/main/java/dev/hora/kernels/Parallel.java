package dev.hora.kernels;

import java.util.function.IntConsumer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one thread pool of the kernel path. Every parallel section of the kernels (row blocks of a
 * GEMM, the per-head attention GEMMs, the element-wise loops) splits its work into {@link #threads()}
 * parts that run on the calling thread and {@code threads - 1} workers ({@link SpinPool}: parts claimed
 * from one counter, workers unparked per section; batch 8 x 32 LoRA step on 2 cores, interleaved A/B:
 * 121-147 ms against 148-158 with Java's fork-join pool, equal at 32 x 64):
 * <pre>
 *   GEMM C[m, n] = op(A) op(B)      rows [m t / T, m (t+1) / T) of C  ->  part t   (one single-threaded BLAS call each)
 *   batch of per-head GEMMs         GEMMs [N t / T, N (t+1) / T)      ->  part t
 *   element-wise loops              rows                              ->  part t
 * </pre>
 * The BLAS and libnd4j then run single-threaded ({@link #ownThreads()}): three pools on the same cores
 * (OpenBLAS's, libnd4j's OpenMP and Java's) took the cores from each other with their spinning threads,
 * and OpenBLAS 0.3.19 splits small GEMMs (256 rows, 32 x 32 attention blocks) poorly. Measured on a
 * 2-core Zen 5: one BLAS thread already runs these GEMMs at 290-320 GFLOP/s; the JVM's own loops and
 * row blocks use the second core.
 */
public final class Parallel {
    /** Below this many multiply-adds a GEMM runs on the calling thread (a hand-off costs ~10-20 us). */
    static final long MIN_GEMM_WORK = 1L << 20;
    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static volatile SpinPool pool;
    private static volatile boolean owned;

    private Parallel() {
    }

    /** The number of parts a parallel section splits into (default: the cores Java sees). */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the kernel path's thread count (e.g. the command line's {@code --threads}) and makes the
     * BLAS and libnd4j single-threaded ({@link #ownThreads()}).
     */
    public static void threads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        synchronized (Parallel.class) {
            if (pool != null && pool.threads() != n) {
                pool.close();
                pool = null;
            }
            threads = n;
            singleThreadedNative();
            owned = true;
        }
    }

    /**
     * Makes OpenBLAS and libnd4j single-threaded, once: the kernel path runs their calls on its own
     * threads. Called before the first parallel GEMM; also affects ND4J ops outside the kernels
     * (SameDiff), which then run on one thread.
     */
    static void ownThreads() {
        if (!owned) {
            synchronized (Parallel.class) {
                if (!owned) {
                    singleThreadedNative();
                    owned = true;
                }
            }
        }
    }

    private static void singleThreadedNative() {
        Nd4j.factory().blas().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    /** Parts for {@code n} independent items of {@code workPerItem} each: 1 when too little to share. */
    static int parts(int n, long workPerItem) {
        int t = threads;
        if (t <= 1 || n < 2 || (long) n * workPerItem < MIN_GEMM_WORK) {
            return 1;
        }
        return Math.min(t, n);
    }

    /** Runs {@code body(0..parts-1)}, in parallel when parts > 1; returns when all are done. */
    static void run(int parts, IntConsumer body) {
        if (parts <= 1) {
            body.accept(0);
            return;
        }
        SpinPool p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) {
                    pool = new SpinPool(threads);
                }
                p = pool;
            }
        }
        p.run(parts, body);
    }

    /** Start of part {@code t} of {@code n} items in {@code parts} parts. */
    static int from(int n, int t, int parts) {
        return (int) ((long) n * t / parts);
    }
}
