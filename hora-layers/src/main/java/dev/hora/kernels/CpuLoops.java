package dev.hora.kernels;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise kernels' fast path on the CPU backend in float: fused Java loops over the
 * arrays' native memory, one pass per row where ND4J needs one op (and one sweep) per term, split
 * over the cores by rows. The ND4J-op forms in {@link LayerNorm}, {@link Gelu} and {@link Attention}
 * are the portable path (CUDA, double precision) and the reference these loops are tested against.
 * <pre>
 *   layerNorm       per row: mu, rstd = 1/sqrt(var + eps), xhat = (x - mu) rstd, y = xhat gamma + beta
 *   layerNormBack   per row: t = dy gamma, dx = rstd (t - mean(t) - xhat mean(t xhat))
 *   gelu            y = z Phi(z), dy/dz = Phi(z) + z phi(z); erf by Abramowitz-Stegun 7.1.26, exp by {@link #exp}
 *                   (|error| <= 1.5e-7, below float resolution of Phi), one exp per element for both
 *   maskedSoftmax   per row of P [B, H, S, S]: softmax(p + m_b)
 *   softmaxBack     per row: dS = P (dP - sum(dP P))
 * </pre>
 */
final class CpuLoops {
    private static final int MIN_ROWS_PER_TASK = 16;
    /** The Vector API bodies run when the JVM has {@code jdk.incubator.vector} (and not in forced-scalar tests). */
    static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile boolean forceScalar;

    /** Tests: true runs the scalar bodies even when the Vector API is there. */
    static void forceScalar(boolean v) {
        forceScalar = v;
    }

    private static boolean vector() {
        return VECTOR && !forceScalar;
    }

    /** True when the Vector API bodies run (the module is there and no test forced the scalar ones). */
    static boolean vectorOn() {
        return vector();
    }

    /** {y, dy/dz} of one element (the scalar body). */
    static float[] geluScalar(float v) {
        float e = exp(-0.5f * v * v);
        float ax = Math.abs(v) * 0.70710678f;
        float t = 1f / (1f + 0.3275911f * ax);
        float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t
                + 0.254829592f) * t;
        float erfAbs = 1f - poly * e;
        float phiCdf = 0.5f * (1f + (v >= 0 ? erfAbs : -erfAbs));
        return new float[]{v * phiCdf, phiCdf + v * e * 0.3989422804f};
    }

    private CpuLoops() {
    }

    /**
     * exp in float (Cephes expf: 2^k e^r, |r| <= ln2 / 2, degree-6 polynomial; relative error ~1 ulp,
     * 5x faster than {@code Math.exp} here); 0 below -87.3, clamped above 88.3.
     */
    static float exp(float x) {
        if (x < -87.3f) {
            return 0f;
        }
        float c = Math.min(88.3f, x);
        float k = Math.round(c * 1.44269504f);
        float r = c - k * 0.693359375f + k * 2.12194440e-4f;
        float p = (((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r
                + 1.6666665459e-1f) * r + 5.0000001201e-1f) * r * r + r + 1f;
        return p * Float.intBitsToFloat(((int) k + 127) << 23);
    }

    /** True when the loops apply: native CPU path and every array float. */
    static boolean applies(INDArray... arrays) {
        if (!StridedGemm.nativePath()) {
            return false;
        }
        for (INDArray a : arrays) {
            if (a != null && a.dataType() != DataType.FLOAT) {
                return false;
            }
        }
        return true;
    }

    /** A direct view of the array's elements (index 0 = its first element). */
    static FloatBuffer buf(INDArray a) {
        StridedGemm.check(a, "array");
        FloatBuffer b = a.data().asNioFloat();
        b.position((int) a.offset());
        return b.slice();
    }

    private interface RowBody {
        void rows(int from, int to);
    }

    private static void parallelRows(int n, RowBody body) {
        int tasks = Math.max(1, Math.min(Parallel.threads(), n / MIN_ROWS_PER_TASK));
        Parallel.run(tasks, t -> body.rows(Parallel.from(n, t, tasks), Parallel.from(n, t + 1, tasks)));
    }

    /** Layer norm of the rows of x (+ residual, when not null): y, and with xhat, xhat [n, d] and rstd [n]. */
    static void layerNorm(INDArray x, INDArray residual, INDArray gamma, INDArray beta, double eps, INDArray y,
                          INDArray xhat, INDArray rstd) {
        int n = (int) x.size(0);
        int d = (int) x.size(1);
        FloatBuffer xb = buf(x), gb = buf(gamma), bb = buf(beta), yb = buf(y);
        FloatBuffer sb = residual == null ? null : buf(residual);
        FloatBuffer hb = xhat == null ? null : buf(xhat);
        FloatBuffer rb = rstd == null ? null : buf(rstd);
        float[] gam = new float[d];
        float[] bet = new float[d];
        gb.get(0, gam);
        bb.get(0, bet);
        parallelRows(n, (from, to) -> {
            float[] row = new float[d];
            float[] out = new float[d];
            for (int i = from; i < to; i++) {
                int o = i * d;
                xb.get(o, row);
                if (sb != null) {
                    sb.get(o, out);
                    for (int j = 0; j < d; j++) {
                        row[j] += out[j];
                    }
                }
                float sum = 0;
                for (int j = 0; j < d; j++) {
                    sum += row[j];
                }
                float mu = sum / d;
                float sq = 0;
                for (int j = 0; j < d; j++) {
                    row[j] -= mu;
                    sq += row[j] * row[j];
                }
                float r = (float) (1.0 / Math.sqrt(sq / d + eps));
                for (int j = 0; j < d; j++) {
                    row[j] *= r;
                    out[j] = row[j] * gam[j] + bet[j];
                }
                if (hb != null) {
                    hb.put(o, row);
                    rb.put(i, r);
                }
                yb.put(o, out);
            }
        });
    }

    static void layerNormBack(INDArray dy, INDArray gamma, INDArray xhat, INDArray rstd, INDArray dx) {
        int n = (int) dy.size(0);
        int d = (int) dy.size(1);
        FloatBuffer db = buf(dy), gb = buf(gamma), hb = buf(xhat), rb = buf(rstd), xb = buf(dx);
        float[] gam = new float[d];
        gb.get(0, gam);
        parallelRows(n, (from, to) -> {
            float[] t = new float[d];
            float[] h = new float[d];
            for (int i = from; i < to; i++) {
                int o = i * d;
                db.get(o, t);
                hb.get(o, h);
                float m1 = 0;
                float m2 = 0;
                for (int j = 0; j < d; j++) {
                    t[j] *= gam[j];
                    m1 += t[j];
                    m2 += t[j] * h[j];
                }
                float a = m1 / d;
                float b = m2 / d;
                float r = rb.get(i);
                for (int j = 0; j < d; j++) {
                    t[j] = r * (t[j] - a - h[j] * b);
                }
                xb.put(o, t);
            }
        });
    }

    /** z [n, f] becomes y; dydz (may be null) gets dy/dz. */
    static void gelu(INDArray z, INDArray dydz) {
        int n = (int) z.size(0);
        int f = (int) z.size(1);
        FloatBuffer zb = buf(z);
        FloatBuffer gb = dydz == null ? null : buf(dydz);
        parallelRows(n, (from, to) -> {
            float[] zs = new float[f];
            float[] gs = new float[f];
            for (int row = from; row < to; row++) {
                zb.get(row * f, zs);
                if (vector()) {
                    VectorLoops.gelu(zs, zs, gb == null ? null : gs, f);
                    zb.put(row * f, zs);
                    if (gb != null) {
                        gb.put(row * f, gs);
                    }
                    continue;
                }
                for (int i = 0; i < f; i++) {
                float v = zs[i];
                float e = exp(-0.5f * v * v);                                  // exp(-x^2), x = z / sqrt 2
                float ax = Math.abs(v) * 0.70710678f;
                float t = 1f / (1f + 0.3275911f * ax);
                float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t
                        + 0.254829592f) * t;
                float erfAbs = 1f - poly * e;
                float phiCdf = 0.5f * (1f + (v >= 0 ? erfAbs : -erfAbs));
                zs[i] = v * phiCdf;
                gs[i] = phiCdf + v * e * 0.3989422804f;
                }
                zb.put(row * f, zs);
                if (gb != null) {
                    gb.put(row * f, gs);
                }
            }
        });
    }

    /** p [B, H, S, S] in place: softmax over the last axis of p + m_b, additive [B, S]. */
    static void maskedSoftmax(INDArray p, INDArray additive, int batch, int heads, int seq) {
        FloatBuffer pb = buf(p), mb = buf(additive);
        float[] mask = new float[batch * seq];
        mb.get(0, mask);
        parallelRows(batch * heads * seq, (from, to) -> {
            float[] v = new float[seq];
            for (int row = from; row < to; row++) {
                int mo = row / (heads * seq) * seq;
                int o = row * seq;
                pb.get(o, v);
                if (vector()) {
                    VectorLoops.softmax(v, mask, mo, seq);
                    pb.put(o, v);
                    continue;
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < seq; j++) {
                    v[j] += mask[mo + j];
                    max = Math.max(max, v[j]);
                }
                float sum = 0;
                for (int j = 0; j < seq; j++) {
                    v[j] = exp(v[j] - max);
                    sum += v[j];
                }
                float inv = 1f / sum;
                for (int j = 0; j < seq; j++) {
                    v[j] *= inv;
                }
                pb.put(o, v);
            }
        });
    }

    /** dp [rows, S] in place becomes dS = P (dP - sum(dP P)). */
    static void softmaxBack(INDArray dp, INDArray p, int rows, int seq) {
        FloatBuffer db = buf(dp), pb = buf(p);
        parallelRows(rows, (from, to) -> {
            float[] g = new float[seq];
            float[] pr = new float[seq];
            for (int row = from; row < to; row++) {
                int o = row * seq;
                db.get(o, g);
                pb.get(o, pr);
                float dot = 0;
                for (int j = 0; j < seq; j++) {
                    dot += g[j] * pr[j];
                }
                for (int j = 0; j < seq; j++) {
                    g[j] = pr[j] * (g[j] - dot);
                }
                db.put(o, g);
            }
        });
    }

    /** w[:, col0 : col0 + n] += dw, row by row (w [rows, ld], dw [rows, n]). */
    static void addColumns(INDArray w, long col0, INDArray dw) {
        int rows = (int) dw.size(0);
        int n = (int) dw.size(1);
        long ld = w.size(1);
        FloatBuffer wb = buf(w), db = buf(dw);
        parallelRows(rows, (from, to) -> {
            float[] a = new float[n];
            float[] b = new float[n];
            for (int row = from; row < to; row++) {
                int o = (int) (row * ld + col0);
                wb.get(o, a);
                db.get(row * n, b);
                for (int j = 0; j < n; j++) {
                    a[j] += b[j];
                }
                wb.put(o, a);
            }
        });
    }

    /** y[i, :] = b for every row of y [n, d] (the bias a GEMM then adds to with beta = 1). */
    static void fillRows(INDArray y, INDArray b) {
        int n = (int) y.size(0);
        int d = (int) y.size(1);
        FloatBuffer yb = buf(y);
        float[] row = new float[d];
        buf(b).get(0, row);
        for (int i = 0; i < n; i++) {
            yb.put(i * d, row);
        }
    }
}
