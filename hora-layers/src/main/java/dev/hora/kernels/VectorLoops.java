package dev.hora.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD bodies of {@link CpuLoops} on Java's Vector API ({@code jdk.incubator.vector}, loaded
 * only when the JVM runs with {@code --add-modules jdk.incubator.vector}; otherwise the scalar loops
 * run). Same formulas as the scalar forms, on float[] rows:
 * <pre>
 *   gelu     erf by a rational minimax approximation on [-4, 4] (x P(x^2) / Q(x^2), as Eigen's float erf),
 *            phi(z) = exp(-z^2/2) / sqrt(2 pi) with exp(u) = (e^(u/32))^32, e^v by its degree-9 Taylor form
 *   softmax  exp(x) = 2^k e^r (Cephes expf, k from the truncated x log2 e)
 * </pre>
 */
final class VectorLoops {
    private static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    private static final float MAGIC = 12582912f;                       // 1.5 * 2^23
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);

    private VectorLoops() {
    }

    private static FloatVector c(float v) {
        return FloatVector.broadcast(SP, v);
    }

    /**
     * y = z Phi(z) and dy/dz for n elements (g may be null). The constants are broadcast once per call, before the
     * loop: as calls inside it, C2 did not inline them in this large body and each returned a boxed vector (1.4 GB
     * of garbage in 30 s of a HoRA fine-tune, two thirds of all it allocated).
     */
    static void gelu(float[] z, float[] y, float[] g, int n) {
        FloatVector p0 = c(-2.72614225801306e-10f), p1 = c(2.77068142495902e-08f), p2 = c(-2.10102402082508e-06f);
        FloatVector p3 = c(-5.69250639462346e-05f), p4 = c(-7.34990630326855e-04f), p5 = c(-2.95459980854025e-03f);
        FloatVector p6 = c(-1.60960333262415e-02f);
        FloatVector q0 = c(-1.45660718464996e-05f), q1 = c(-2.13374055278905e-04f), q2 = c(-1.68282697438203e-03f);
        FloatVector q3 = c(-7.37332916720468e-03f), q4 = c(-1.42647390514189e-02f);
        FloatVector half = c(0.5f), unit = c(1f), invSqrt2Pi = c(0.3989422804f);
        FloatVector e0 = c(2.7557319e-6f), e1 = c(2.4801587e-5f), e2 = c(1.984127e-4f), e3 = c(0.0013888889f);
        FloatVector e4 = c(0.008333334f), e5 = c(0.041666668f), e6 = c(0.16666667f);
        int i = 0;
        for (int up = SP.loopBound(n); i < up; i += SP.length()) {
            FloatVector v = FloatVector.fromArray(SP, z, i);
            FloatVector x = v.mul(0.70710678f).min(4f).max(-4f);
            FloatVector x2 = x.mul(x);
            FloatVector p = x2.fma(p0, p1);
            p = x2.fma(p, p2);
            p = x2.fma(p, p3);
            p = x2.fma(p, p4);
            p = x2.fma(p, p5);
            p = x2.fma(p, p6).mul(x);
            FloatVector q = x2.fma(q0, q1);
            q = x2.fma(q, q2);
            q = x2.fma(q, q3);
            q = x2.fma(q, q4);
            FloatVector cdf = p.div(q).fma(half, half);
            v.mul(cdf).intoArray(y, i);
            if (g != null) {
                FloatVector u = v.mul(v).mul(-0.5f).max(-18f).mul(0.03125f);
                FloatVector e = u.fma(e0, e1);
                e = u.fma(e, e2);
                e = u.fma(e, e3);
                e = u.fma(e, e4);
                e = u.fma(e, e5);
                e = u.fma(e, e6);
                e = u.fma(e, half);
                e = u.fma(e, unit);
                e = u.fma(e, unit);
                e = e.mul(e);
                e = e.mul(e);
                e = e.mul(e);
                e = e.mul(e);
                e = e.mul(e);
                e.mul(v).fma(invSqrt2Pi, cdf).intoArray(g, i);
            }
        }
        for (; i < n; i++) {
            float[] one = CpuLoops.geluScalar(z[i]);
            y[i] = one[0];
            if (g != null) {
                g[i] = one[1];
            }
        }
    }

    /**
     * exp of every lane (Cephes expf), k = round(x log2 e) by the 1.5 2^23 trick: adding it leaves k in the
     * low mantissa bits, so k comes out by reinterpreting the bits (JDK 17's C2 has no 16-lane float-to-int
     * cast here: that convert fell back to boxed vectors and took the whole loop with it).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector cl = x.max(-87.3f).min(88.3f);
        FloatVector t = cl.fma(c(1.44269504f), c(MAGIC));                   // MAGIC + k, rounded to nearest
        FloatVector kf = t.sub(MAGIC);
        IntVector k = t.reinterpretAsInts().sub(MAGIC_BITS);
        FloatVector r = kf.fma(c(-0.693359375f), cl);
        r = kf.fma(c(2.12194440e-4f), r);
        FloatVector p = r.fma(c(1.9875691500e-4f), c(1.3981999507e-3f));
        p = r.fma(p, c(8.3334519073e-3f));
        p = r.fma(p, c(4.1665795894e-2f));
        p = r.fma(p, c(1.6666665459e-1f));
        p = r.fma(p, c(5.0000001201e-1f));
        p = p.mul(r).mul(r).add(r).add(1f);
        FloatVector two = (FloatVector) k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(two).blend(c(0f), x.compare(VectorOperators.LT, -87.3f));
    }

    /** v[0..n) = softmax(v + m) in place. */
    static void softmax(float[] v, float[] m, int mOff, int n) {
        int up = SP.loopBound(n);
        FloatVector vmax = c(Float.NEGATIVE_INFINITY);                      // one reduction per row, not per vector
        int i = 0;
        for (; i < up; i += SP.length()) {
            FloatVector s = FloatVector.fromArray(SP, v, i).add(FloatVector.fromArray(SP, m, mOff + i));
            s.intoArray(v, i);
            vmax = vmax.max(s);
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            v[i] += m[mOff + i];
            max = Math.max(max, v[i]);
        }
        FloatVector vsum = c(0f);
        i = 0;
        for (; i < up; i += SP.length()) {
            FloatVector e = exp(FloatVector.fromArray(SP, v, i).sub(max));
            e.intoArray(v, i);
            vsum = vsum.add(e);
        }
        float sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            v[i] = CpuLoops.exp(v[i] - max);
            sum += v[i];
        }
        float inv = 1f / sum;
        i = 0;
        for (; i < up; i += SP.length()) {
            FloatVector.fromArray(SP, v, i).mul(inv).intoArray(v, i);
        }
        for (; i < n; i++) {
            v[i] *= inv;
        }
    }
}
