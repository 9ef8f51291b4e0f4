package dev.hora.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An adapter's factorised update added to a projection's output block, and its backward:
 * <pre>
 *   forward   y[:, o + g d_g : o + (g+1) d_g] += (x a_g) b_g       g = 1 .. G
 *             x [n, in], a [G, in, r], b [G, r, d_g] (scale folded in), y [n, ldy] with the block at column o
 *             xa = x [a_1 | ... | a_G]  [n, G r]  (kept for the backward)
 *   backward  dxa_g = dy_g b_g^T,  db_g = xa_g^T dy_g,  da_g = x^T dxa_g,  dx += dxa [a_1 | ... | a_G]^T
 * </pre>
 * G = 1 is LoRA's factorised form; G = H the per-head form of MH-LoRA and HoRA.
 */
public final class LowRank {
    private LowRank() {
    }

    /** [a_1 | ... | a_G] as [in, G r]. */
    public static INDArray concatA(INDArray a) {
        long g = a.size(0);
        long in = a.size(1);
        long r = a.size(2);
        return g == 1 ? a.reshape(in, r) : a.permute(1, 0, 2).dup('c').reshape(in, g * r);
    }

    /** Adds the update into the block of y at column {@code offset}; returns xa [n, G r]. */
    public static INDArray forwardAdd(INDArray x, INDArray a, INDArray b, INDArray y, long offset) {
        int g = (int) a.size(0);
        int in = (int) a.size(1);
        int r = (int) a.size(2);
        int n = (int) x.size(0);
        INDArray xa;                                                                   // [n, G r]
        if (g == 1) {   // a [1, in, r] is [in, r] in memory: no reshape (an ND4J op) on the per-call path
            xa = Nd4j.createUninitialized(x.dataType(), n, r);
            StridedGemm.gemm(false, false, n, r, in, 1, StridedGemm.contiguous(x), 0, in, StridedGemm.contiguous(a), 0, r,
                    0, xa, 0, r);
        } else {
            xa = StridedGemm.mm(x, false, concatA(a), false);
        }
        addGroups(xa, b, y, offset);
        return xa;
    }

    /** y[:, o + g d_g : o + (g+1) d_g] += xa_g b_g for every group: xa [n, G r] (ld G r), b [G, r, d_g]. */
    private static void addGroups(INDArray xa, INDArray b, INDArray y, long offset) {
        int g = (int) b.size(0);
        int r = (int) b.size(1);
        int dg = (int) b.size(2);
        int n = (int) y.size(0);
        int ldy = (int) y.size(1);
        INDArray bc = StridedGemm.contiguous(b);
        for (int i = 0; i < g; i++) {
            StridedGemm.gemm(false, false, n, dg, r, 1, xa, (long) i * r, g * r, bc, (long) i * r * dg, dg,
                    1, y, offset + (long) i * dg, ldy);
        }
    }

    /**
     * {@link #forwardAdd} for inference (nothing kept): xa [n, G r] in this thread's scratch instead of a new array
     * (every ND4J array, even in a workspace, is a buffer its deallocator thread and the garbage collector track: 12
     * of a one-request forward's 72 with LoRA on q, v), each group's x a_g straight from a (no concatenated copy).
     */
    public static void forwardAddInfer(INDArray x, INDArray a, INDArray b, INDArray y, long offset) {
        int g = (int) a.size(0);
        int in = (int) a.size(1);
        int r = (int) a.size(2);
        int n = (int) x.size(0);
        INDArray xs = StridedGemm.contiguous(x);
        INDArray ac = StridedGemm.contiguous(a);
        INDArray xa = SCRATCH.get(x.dataType(), (long) n * g * r);                     // [n, G r]
        for (int i = 0; i < g; i++) {
            StridedGemm.gemm(false, false, n, r, in, 1, xs, 0, in, ac, (long) i * in * r, r, 0, xa, (long) i * r,
                    g * r);
        }
        addGroups(xa, b, y, offset);
    }

    private static final Scratch SCRATCH = new Scratch();

    /**
     * {@link #forwardAdd} on row segments of x and y, each with its own factors (a mixed batch's adapters at
     * one site), inference only (nothing kept). Each segment multiplies only its own rows by its own A
     * (one GEMM over all rows with every A side by side costs k times the work for k segments: at 32
     * adapters that product was as large as the frozen projection itself), group by group straight from
     * a (no concatenated copy: ND4J's permute and copy cost more than the products at a few rows); the
     * segments are spread over the threads:
     * <pre>
     *   xa[from_i:to_i, g r_i : (g+1) r_i] = x[from_i:to_i] a_i,g               xa [n, max_i G_i r_i]
     *   y[from_i:to_i, o + g d_g ...]    += xa[from_i:to_i, g r_i : (g+1) r_i] b_i,g
     * </pre>
     * {@code a[i]} [G_i, in, r_i] and {@code b[i]} [G_i, r_i, d_g], both {@link StridedGemm#contiguous}.
     */
    public static void forwardAddSegments(INDArray x, int[] from, int[] to, INDArray[] a, INDArray[] b, INDArray y,
                                          long offset) {
        int in = (int) x.size(1);
        int n = (int) x.size(0);
        int ldy = (int) y.size(1);
        int k = a.length;
        int w = 0;
        long work = 0;
        for (int i = 0; i < k; i++) {
            int wi = (int) (a[i].size(0) * a[i].size(2));
            w = Math.max(w, wi);
            work += (long) (to[i] - from[i]) * wi * (in + b[i].size(2));
        }
        INDArray xa = Nd4j.createUninitialized(x.dataType(), n, w);
        int ldxa = w;
        int parts = Parallel.parts(k, work / Math.max(1, k));
        if (parts > 1) {
            Parallel.ownThreads();
        }
        Parallel.run(parts, t -> {
            for (int i = Parallel.from(k, t, parts); i < Parallel.from(k, t + 1, parts); i++) {
                int rows = to[i] - from[i];
                if (rows <= 0) {
                    continue;
                }
                int g = (int) b[i].size(0);
                int r = (int) b[i].size(1);
                int dg = (int) b[i].size(2);
                long row0 = (long) from[i] * ldxa;
                for (int j = 0; j < g; j++) {
                    StridedGemm.gemm(false, false, rows, r, in, 1, x, (long) from[i] * in, in, a[i], (long) j * in * r, r,
                            0, xa, row0 + (long) j * r, ldxa);
                    StridedGemm.gemm(false, false, rows, dg, r, 1, xa, row0 + (long) j * r, ldxa,
                            b[i], (long) j * r * dg, dg, 1, y, (long) from[i] * ldy + offset + (long) j * dg, ldy);
                }
            }
        });
    }

    /** Factor gradients: [0] = da [G, in, r], [1] = db [G, r, d_g]; dx accumulated into {@code dx}. */
    public static INDArray[] backward(INDArray x, INDArray xa, INDArray a, INDArray b, INDArray dy, long offset,
                                      INDArray dx) {
        int g = (int) a.size(0);
        int in = (int) a.size(1);
        int r = (int) a.size(2);
        int dg = (int) b.size(2);
        int n = (int) x.size(0);
        int ldy = (int) dy.size(1);
        INDArray bc = b.dup('c');
        INDArray dxa = Nd4j.create(x.dataType(), n, (long) g * r);
        INDArray db = Nd4j.create(x.dataType(), g, r, dg);
        for (int i = 0; i < g; i++) {
            StridedGemm.gemm(false, true, n, r, dg, 1, dy, offset + (long) i * dg, ldy, bc, (long) i * r * dg, dg,
                    0, dxa, (long) i * r, g * r);
            StridedGemm.gemm(true, false, r, dg, n, 1, xa, (long) i * r, g * r, dy, offset + (long) i * dg, ldy,
                    0, db, (long) i * r * dg, dg);
        }
        INDArray da2 = StridedGemm.mm(x, true, dxa, false);                          // [in, G r]
        INDArray da = g == 1 ? da2.reshape(1, in, r) : da2.reshape(in, g, r).permute(1, 0, 2).dup('c');
        StridedGemm.mm(dxa, false, concatA(a), true, dx, 1.0);
        return new INDArray[]{da, db};
    }
}
