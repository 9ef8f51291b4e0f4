package dev.hora.adapter.hora;

import dev.hora.kernels.StridedGemm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Small dense products on row-major {@code double[]} matrices for {@link HoraKernel}'s
 * first generator layer, which is tiny (MiniLM: S [192, 8] x W1 [8, 16]), so plain loops beat ND4J's
 * per-op dispatch by far. Matrix (i, j) of X [rows, cols] at
 * offset o is {@code x[o + i cols + j]}; every product accumulates into C.
 * <pre>
 *   mulAdd    C[m, n] += A[m, k] B[k, n]
 *   mulAddTA  C[m, n] += A[k, m]^T B[k, n]
 *   mulAddTB  C[m, n] += A[m, k] B[n, k]^T
 *   sumAxis   out[i, j] = s sum_p X[i, p, j]   (X [h, k, n]; out [h, n], or [1, n] summed over i too)
 * </pre>
 */
final class RowMajor {

    private RowMajor() {
    }

    static void mulAdd(int m, int n, int k, double[] a, int oa, double[] b, int ob, double[] c, int oc) {
        for (int i = 0; i < m; i++) {
            int ci = oc + i * n;
            for (int p = 0; p < k; p++) {
                double av = a[oa + i * k + p];
                int bp = ob + p * n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += av * b[bp + j];
                }
            }
        }
    }

    static void mulAddTA(int m, int n, int k, double[] a, int oa, double[] b, int ob, double[] c, int oc) {
        for (int p = 0; p < k; p++) {
            int bp = ob + p * n;
            for (int i = 0; i < m; i++) {
                double av = a[oa + p * m + i];
                int ci = oc + i * n;
                for (int j = 0; j < n; j++) {
                    c[ci + j] += av * b[bp + j];
                }
            }
        }
    }

    static void mulAddTB(int m, int n, int k, double[] a, int oa, double[] b, int ob, double[] c, int oc) {
        for (int i = 0; i < m; i++) {
            int ai = oa + i * k;
            for (int j = 0; j < n; j++) {
                int bj = ob + j * k;
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[ai + p] * b[bj + p];
                }
                c[oc + i * n + j] += s;
            }
        }
    }

    /** c[i, :] += v[ov : ov + n] for rows [0, m) of C [m, n] at offset oc. */
    static void addRow(int m, int n, double[] v, int ov, double[] c, int oc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[oc + i * n + j] += v[ov + j];
            }
        }
    }

    /** out[ov + j] += sum over rows of C [m, n] at offset oc, column j. */
    static void addColumnSums(int m, int n, double[] c, int oc, double[] out, int ov) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                out[ov + j] += c[oc + i * n + j];
            }
        }
    }

    /**
     * {@code s} times the sums of X [h, k, n] (c-order values x) over its middle axis: out [h, n], or [1, n] when
     * {@code overH} sums the h blocks too. The sum over a last axis is the case n = 1 (X [h, k, 1] for [h, k]: write
     * it as X [h d, k, 1] with h = h d).
     */
    static double[] sumAxis(double[] x, int h, int k, int n, boolean overH, double s) {
        double[] out = new double[overH ? n : h * n];
        for (int i = 0; i < h; i++) {
            int o = overH ? 0 : i * n;
            for (int p = 0; p < k; p++) {
                int xi = (i * k + p) * n;
                for (int j = 0; j < n; j++) {
                    out[o + j] += x[xi + j];
                }
            }
        }
        if (s != 1) {
            for (int j = 0; j < out.length; j++) {
                out[j] *= s;
            }
        }
        return out;
    }

    /**
     * The elements of x in c order, as doubles (one copy; views and f-order arrays are copied first). A float array is
     * read in bulk from its buffer and widened here: ND4J's {@code asDouble()} converted element by element, ~0.1 ms
     * for one HoRA factor gradient [12, 384, 16], ~2.5 ms of a MiniLM HoRA step.
     */
    static double[] read(INDArray x) {
        INDArray c = StridedGemm.wholeBuffer(x);
        if (c.dataType() != DataType.FLOAT) {
            return c.data().asDouble();
        }
        float[] f = new float[(int) c.length()];
        c.data().asNioFloat().get((int) c.offset(), f);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** A new array of {@code dt} and {@code shape} from c-order values. */
    static INDArray create(double[] v, DataType dt, long... shape) {
        if (dt == DataType.DOUBLE) {
            return Nd4j.create(v, shape, 'c');
        }
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Nd4j.create(f, shape, 'c').castTo(dt);
    }
}
