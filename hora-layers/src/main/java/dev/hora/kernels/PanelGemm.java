package dev.hora.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Vector API body of {@link PackedLinear}: a product of few rows with a weight stored as column panels.
 * <pre>
 *   panels [out / P, in, P]:  panel p, row kk = W[kk, p P : (p+1) P]        (P = 2 vector lengths)
 *   y[i, p P : (p+1) P] += sum_kk x[i, kk] panels[p, kk, :]                 4 rows x 2 vectors in registers
 * </pre>
 * Each panel is read front to back, so a weight streams from memory at full speed; OpenBLAS instead packs
 * the row-major W into its own panels on every call (for a few rows, most of the call's time).
 */
final class PanelGemm {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final int L = SP.length();
    /** Columns per panel. */
    static final int P = 2 * L;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private PanelGemm() {
    }

    /** True when the vector length allows the kernel (at least 8 floats: AVX2 or wider). */
    static boolean usable() {
        return L >= 8;
    }

    /** Panels [p0, p1) of y [m, out] ('c', holding the bias) += x [m, in] W, W as {@code panels} [out/P, in, P]. */
    static void run(INDArray x, INDArray panels, INDArray y, int p0, int p1) {
        int m = (int) x.size(0);
        int in = (int) x.size(1);
        int out = (int) y.size(1);
        int w = (p1 - p0) * P;
        float[][] s = SCRATCH.get();
        if (s[0].length < m * in) {
            s[0] = new float[m * in];
        }
        if (s[1].length < m * w) {
            s[1] = new float[m * w];
        }
        float[] xs = s[0];
        float[] ys = s[1];
        FloatBuffer xb = x.data().asNioFloat();
        xb.get((int) x.offset(), xs, 0, m * in);
        FloatBuffer yb = y.data().asNioFloat();
        int y0 = (int) y.offset() + p0 * P;
        for (int i = 0; i < m; i++) {
            yb.get(y0 + i * out, ys, i * w, w);
        }
        ByteBuffer pb = panels.data().asNio().order(ByteOrder.nativeOrder());
        long base = panels.offset();
        for (int p = p0; p < p1; p++) {
            long panel = base + (long) p * in * P;
            int j = (p - p0) * P;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                block4(xs, i, in, pb, panel, ys, j, w);
            }
            for (; i < m; i++) {
                block1(xs, i, in, pb, panel, ys, j, w);
            }
        }
        for (int i = 0; i < m; i++) {
            yb.put(y0 + i * out, ys, i * w, w);
        }
    }

    private static void block4(float[] x, int i, int in, ByteBuffer pb, long panel, float[] y, int j, int w) {
        ByteOrder bo = ByteOrder.nativeOrder();
        int y0 = i * w + j;
        FloatVector c00 = FloatVector.fromArray(SP, y, y0);
        FloatVector c01 = FloatVector.fromArray(SP, y, y0 + L);
        FloatVector c10 = FloatVector.fromArray(SP, y, y0 + w);
        FloatVector c11 = FloatVector.fromArray(SP, y, y0 + w + L);
        FloatVector c20 = FloatVector.fromArray(SP, y, y0 + 2 * w);
        FloatVector c21 = FloatVector.fromArray(SP, y, y0 + 2 * w + L);
        FloatVector c30 = FloatVector.fromArray(SP, y, y0 + 3 * w);
        FloatVector c31 = FloatVector.fromArray(SP, y, y0 + 3 * w + L);
        int x0 = i * in;
        int o = (int) (panel * 4);
        for (int kk = 0; kk < in; kk++, o += 4 * P) {
            FloatVector w0 = FloatVector.fromByteBuffer(SP, pb, o, bo);
            FloatVector w1 = FloatVector.fromByteBuffer(SP, pb, o + 4 * L, bo);
            FloatVector v = FloatVector.broadcast(SP, x[x0 + kk]);
            c00 = w0.fma(v, c00);
            c01 = w1.fma(v, c01);
            v = FloatVector.broadcast(SP, x[x0 + in + kk]);
            c10 = w0.fma(v, c10);
            c11 = w1.fma(v, c11);
            v = FloatVector.broadcast(SP, x[x0 + 2 * in + kk]);
            c20 = w0.fma(v, c20);
            c21 = w1.fma(v, c21);
            v = FloatVector.broadcast(SP, x[x0 + 3 * in + kk]);
            c30 = w0.fma(v, c30);
            c31 = w1.fma(v, c31);
        }
        c00.intoArray(y, y0);
        c01.intoArray(y, y0 + L);
        c10.intoArray(y, y0 + w);
        c11.intoArray(y, y0 + w + L);
        c20.intoArray(y, y0 + 2 * w);
        c21.intoArray(y, y0 + 2 * w + L);
        c30.intoArray(y, y0 + 3 * w);
        c31.intoArray(y, y0 + 3 * w + L);
    }

    private static void block1(float[] x, int i, int in, ByteBuffer pb, long panel, float[] y, int j, int w) {
        ByteOrder bo = ByteOrder.nativeOrder();
        int y0 = i * w + j;
        FloatVector c0 = FloatVector.fromArray(SP, y, y0);
        FloatVector c1 = FloatVector.fromArray(SP, y, y0 + L);
        int x0 = i * in;
        int o = (int) (panel * 4);
        for (int kk = 0; kk < in; kk++, o += 4 * P) {
            FloatVector v = FloatVector.broadcast(SP, x[x0 + kk]);
            c0 = FloatVector.fromByteBuffer(SP, pb, o, bo).fma(v, c0);
            c1 = FloatVector.fromByteBuffer(SP, pb, o + 4 * L, bo).fma(v, c1);
        }
        c0.intoArray(y, y0);
        c1.intoArray(y, y0 + L);
    }
}
