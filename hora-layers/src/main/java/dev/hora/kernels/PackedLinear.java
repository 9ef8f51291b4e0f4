package dev.hora.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A frozen projection {@code y = x W + b} (W [in, out], never written) that also keeps W as column panels
 * for products of few rows, made on the first such product:
 * <pre>
 *   rows(x) <= MAX_ROWS, float, CPU, Vector API:   y = b; y += x W  on panels [out / P, in, P]   ({@link PanelGemm})
 *   otherwise:                                     {@link Linear#forward}  (the BLAS)
 * </pre>
 * One short sequence at inference (a {@code hora serve} request: 1 x 12 tokens) multiplies a few rows by every
 * weight of the encoder; OpenBLAS copies each W into its panel layout on every call, so the product streamed the
 * weights twice. Here they are copied once (the panels cost one more copy of the frozen weights, on the Java
 * heap, only in processes that run such products; training batches of up to 256 tokens use them too, larger ones the BLAS).
 * Results: each element of y sums over {@code in} in order on one thread (the same for any thread count);
 * they differ from the BLAS path in the last bits of float rounding.
 */
public final class PackedLinear {
    /**
     * Up to this many rows the panels are used ({@code -Dhora.packed.maxRows} to move it). Measured on MiniLM
     * (2-core Zen 5, {@code ForwardBench}, 2 threads, kernels / ONNX Runtime in one run, two rounds): batch 8 x 16
     * (128 rows) 1.03-1.14 with the panels against 1.29-1.40 with the BLAS; 4 x 12 1.06-1.23 against 1.12-1.23.
     * One product, one core, warm caches: 16 accumulators beat OpenBLAS from 32 to 128 rows (184-205 against
     * 118-160 GFLOP/s); with the weight not in cache they tie at 128 rows (~300 us for 128 x 384 x 384).
     * 256 (session 9, {@code hora bench} LoRA 8 x 32 = 256 rows, 2 threads, three A/B pairs against 128): forward
     * 53 / 55 / 60 against 63 / 68 / 62 ms, training step 119 / 102 / 116 against 126 / 120 / 109 ms; at 32 x 64
     * (2,048 rows) the panels were slower than the BLAS (forward 421 against 331 ms), so the cut stays below that.
     */
    public static final int MAX_ROWS = Integer.getInteger("hora.packed.maxRows", 256);
    /** Work chunks per thread of a parallel product ({@code -Dhora.packed.chunks}). */
    private static final int CHUNKS_PER_THREAD = Integer.getInteger("hora.packed.chunks", 4);
    /** {@code -Dhora.packed=false} leaves every product to the BLAS (A/B measurements). */
    private static final boolean ENABLED = !"false".equals(System.getProperty("hora.packed"));
    private final INDArray w;
    private final INDArray b;
    private volatile float[] panels;

    /** W [in, out] and b [out] (or null), both frozen: the caller never writes them. */
    public PackedLinear(INDArray w, INDArray b) {
        this.w = w;
        this.b = b;
    }

    public INDArray weight() {
        return w;
    }

    public INDArray bias() {
        return b;
    }

    /** y = x W + b, x [n, in] -> y [n, out] (in the current workspace). */
    public INDArray forward(INDArray x) {
        if (!panelPath(x)) {
            return Linear.forward(x, w, b);
        }
        int n = (int) x.size(0);
        int out = (int) w.size(1);
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, out);
        if (b != null) {
            CpuLoops.fillRows(y, b);
        } else {
            y.assign(0);
        }
        float[] p = panels();
        int count = out / PanelGemm.P;
        // chunks of panels claimed by whichever thread is free: the halves of a two-way split did not finish
        // together (the caller spun ~30 % of a 1 x 12 forward waiting for the worker)
        int split = Parallel.parts(count, (long) n * w.size(0) * PanelGemm.P);
        int parts = split <= 1 ? 1 : Math.min(count, CHUNKS_PER_THREAD * split);
        float[] xs = PanelGemm.rows(x);
        int in = (int) x.size(1);
        if (parts <= 1) {
            PanelGemm.run(xs, n, in, p, y, 0, count);
        } else {
            Parallel.run(parts, t -> PanelGemm.run(xs, n, in, p, y, Parallel.from(count, t, parts),
                    Parallel.from(count, t + 1, parts)));
        }
        return y;
    }

    private boolean panelPath(INDArray x) {
        return ENABLED && x.size(0) <= MAX_ROWS && CpuLoops.vectorOn() && CpuLoops.applies(x, w, b)
                && PanelGemm.usable() && w.size(1) % PanelGemm.P == 0 && x.ordering() == 'c'
                && x.stride(0) == x.size(1) && x.stride(1) == 1 && x.size(1) == w.size(0)
                && w.ordering() == 'c' && !w.isView() && w.length() < Integer.MAX_VALUE;
    }

    /** True once the panels exist (tests). */
    boolean hasPanels() {
        return panels != null;
    }

    /** W as panels [out / P, in, P] in a heap array, made once. */
    private float[] panels() {
        float[] p = panels;
        if (p == null) {
            synchronized (this) {
                p = panels;
                if (p == null) {
                    p = PanelGemm.pack(w);
                    panels = p;
                }
            }
        }
        return p;
    }
}
