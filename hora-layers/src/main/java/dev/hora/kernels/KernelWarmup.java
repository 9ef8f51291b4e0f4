package dev.hora.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Has the JIT compile the Vector API kernels before the first real pass, on tiny arrays.
 *
 * <p>Until C2 compiles a Vector API loop, the interpreter and C1 run each vector operation as a heap object. The
 * first steps of a fine-tune (batch 8 x 32) allocated ~2 GB of such boxed vectors in about two seconds (a single
 * panel product of 256 x 384 x 1,152 rows runs ~10,000 vector operations per 8-row block), and G1 grew the heap to
 * absorb them: that set the job's peak resident size. The same kernels on tiny arrays (13 rows by 16, two panels;
 * rows of 64 for GELU and softmax) reach C2's thresholds after a few thousand calls and tens of MB of garbage.
 *
 * <p>{@link #start()} runs this once per JVM on a low-priority daemon thread (the import and the tokenizer run
 * meanwhile); it changes no state the model reads, and it is skipped where the Vector API kernels do not run.
 */
public final class KernelWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(KernelWarmup.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    private static volatile Thread thread;
    /** Calls per kernel: past C2's invocation and back-edge thresholds for loops of these lengths. */
    static final int CALLS = 3000;

    private KernelWarmup() {
    }

    /**
     * Starts the warm-up once per JVM (later calls return at once); a no-op without the Vector API kernels or with
     * {@code -Dhora.warmup=false}.
     */
    public static void start() {
        if (!STARTED.compareAndSet(false, true) || "false".equals(System.getProperty("hora.warmup"))
                || !CpuLoops.vectorOn() || !PanelGemm.usable()
                || !StridedGemm.nativePath()) {
            return;
        }
        Thread t = new Thread(KernelWarmup::runQuietly, "hora-kernel-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        thread = t;
        t.start();
    }

    /** Waits until a started warm-up has finished (tests that count ND4J's buffers). */
    static void join() throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join();
        }
    }

    private static void runQuietly() {
        try {
            long t0 = System.nanoTime();
            run(CALLS);
            LOG.debug("kernel warm-up: {} calls per kernel in {} ms", CALLS, (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("kernel warm-up stopped: {}", e.toString());   // only speed is at stake
        }
    }

    /**
     * The kernels' loops, {@code calls} times each, on tiny arrays; returns the sum over calls c of GELU, its
     * derivative and softmax at element c mod 64 of the row (i - 32) / 8 (a checksum, so nothing is elided).
     */
    static double run(int calls) {
        int in = 16;
        int out = 2 * PanelGemm.P;
        int rows = 13;                                                  // blocks of 8, 4 and 1 rows
        INDArray w = Nd4j.rand(DataType.FLOAT, in, out);
        INDArray x = Nd4j.rand(DataType.FLOAT, rows, in);
        INDArray y = Nd4j.zeros(DataType.FLOAT, rows, out);
        float[] panels = PanelGemm.pack(w);
        int n = 64;
        float[] z = new float[n];
        float[] g = new float[n];
        float[] v = new float[n];
        float[] mask = new float[n];
        double sum = 0;
        for (int c = 0; c < calls; c++) {
            PanelGemm.run(PanelGemm.rows(x), (int) x.size(0), (int) x.size(1), panels, y, 0, 2);
            for (int i = 0; i < n; i++) {
                z[i] = (i - n / 2) / 8f;
                v[i] = z[i];
            }
            VectorLoops.gelu(z, z, g, n);
            VectorLoops.softmax(v, mask, 0, n);
            sum += z[c % n] + v[c % n] + g[c % n];
        }
        return Double.isFinite(y.getFloat(0, 0)) ? sum : Double.NaN;
    }
}
