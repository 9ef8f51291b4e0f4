package dev.hora.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
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
 * weights twice. Here they are copied once (the panels cost one more copy of the frozen weights, off the heap,
 * only in processes that run such products; training's products have hundreds of rows and never make them).
 * Results: each element of y sums over {@code in} in order on one thread (the same for any thread count);
 * they differ from the BLAS path in the last bits of float rounding.
 */
public final class PackedLinear {
    /**
     * Up to this many rows the panels are used. Measured on MiniLM (2-core Zen 5, A/B in separate runs): a 1 x 12
     * forward 2.75-3.44 ms against 3.58-4.02 with the BLAS on 2 threads, 4.60-6.95 against 5.70-7.66 on 1; from
     * 32 rows on the BLAS's kernel was faster (1 thread, 64 rows: 24-28 against 14-19 ms).
     */
    public static final int MAX_ROWS = 16;
    /** {@code -Dhora.packed=false} leaves every product to the BLAS (A/B measurements). */
    private static final boolean ENABLED = !"false".equals(System.getProperty("hora.packed"));
    private final INDArray w;
    private final INDArray b;
    private volatile INDArray panels;

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
        INDArray p = panels();
        int count = out / PanelGemm.P;
        int parts = Parallel.parts(count, (long) n * w.size(0) * PanelGemm.P);
        if (parts <= 1) {
            PanelGemm.run(x, p, y, 0, count);
        } else {
            Parallel.run(parts, t -> PanelGemm.run(x, p, y, Parallel.from(count, t, parts),
                    Parallel.from(count, t + 1, parts)));
        }
        return y;
    }

    private boolean panelPath(INDArray x) {
        return ENABLED && x.size(0) <= MAX_ROWS && CpuLoops.vectorOn() && CpuLoops.applies(x, w, b)
                && PanelGemm.usable() && w.size(1) % PanelGemm.P == 0 && x.ordering() == 'c'
                && x.stride(0) == x.size(1) && x.stride(1) == 1 && x.size(1) == w.size(0)
                && w.ordering() == 'c' && !w.isView();
    }

    /** True once the panels exist (tests). */
    boolean hasPanels() {
        return panels != null;
    }

    /** W as panels [out / P, in, P], made once (outside any workspace). */
    private INDArray panels() {
        INDArray p = panels;
        if (p == null) {
            synchronized (this) {
                p = panels;
                if (p == null) {
                    long in = w.size(0);
                    long out = w.size(1);
                    try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                        p = w.reshape(in, out / PanelGemm.P, PanelGemm.P).permute(1, 0, 2).dup('c');
                    }
                    panels = p;
                }
            }
        }
        return p;
    }
}
