package dev.hora.adapter;

import dev.hora.config.ApplyMode;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The two ways to apply an adapter's {@link Factors} to a projection (equal results, tested):
 * <pre>
 *   deltaW:      [a_g b_g]_g                   a [G, d_in, r] x b [G, r, d_g] -> [G, d_in, d_g] -> [d_in, G d_g]
 *   DENSE:       y = x (W + dW) + bias          (dropout on the adapter path: x W + bias + drop(x) dW)
 *   FACTORISED:  y = x W + bias + [(x' a_g) b_g]_g
 *   AUTO:        FACTORISED for one group (LoRA), DENSE for per-head factors (measured, see ApplyMode)
 *                x' [n, d_in] -> [n, G r] -> [G, n, r] -> x b_g -> [G, n, d_g] -> [n, d_out]
 * </pre>
 * x is rank 2 {@code [n, d_in]} (SameDiff's mmul does not broadcast rank 3 x rank 2: callers
 * reshape {@code [batch, seq, d]} to {@code [batch seq, d]}).
 */
public final class AdapterOps {
    private AdapterOps() {
    }

    /** {@code dW [d_in, d_out]} from the factors. */
    public static SDVariable deltaW(SameDiff sd, Factors f, ProjectionShape s) {
        SDVariable blocks = sd.mmul(f.a(), f.b());                 // [G, d_in, d_g]
        if (f.groups() == 1) {
            return blocks.reshape(s.dIn(), s.dOut());              // [d_in, d_out]
        }
        return blocks.permute(1, 0, 2).reshape(s.dIn(), s.dOut()); // [d_in, G, d_g] -> [d_in, d_out]
    }

    /** The adapter's contribution {@code x dW [n, d_out]} without forming dW. */
    public static SDVariable factorisedDelta(SameDiff sd, SDVariable x, Factors f, ProjectionShape s) {
        int g = f.groups();
        int r = f.rank();
        if (g == 1) {
            SDVariable a = f.a().reshape(s.dIn(), r);                          // [d_in, r]
            return x.mmul(a).mmul(f.b().reshape(r, s.dOut()));                // [n, r] -> [n, d_out]
        }
        SDVariable a2 = f.a().permute(1, 0, 2).reshape(s.dIn(), (long) g * r); // [d_in, G r]
        SDVariable xa = x.mmul(a2).reshape(-1, g, r).permute(1, 0, 2);          // [G, n, r]
        SDVariable y = sd.mmul(xa, f.b());                                      // [G, n, d_g]
        return y.permute(1, 0, 2).reshape(-1, s.dOut());                       // [n, d_out]
    }

    /**
     * The adapted projection {@code y [n, d_out]}.
     *
     * @param x        input [n, d_in]
     * @param xAdapter input of the adapter path (x, or dropout(x) while training)
     * @param w        frozen weight [d_in, d_out]
     * @param bias     frozen bias [d_out] or [1, d_out], or null
     */
    public static SDVariable project(SameDiff sd, SDVariable x, SDVariable xAdapter, SDVariable w,
                                     SDVariable bias, Factors f, ProjectionShape s, ApplyMode mode) {
        SDVariable y;
        if (mode.resolve(f.groups()) == ApplyMode.DENSE) {
            SDVariable dw = deltaW(sd, f, s);
            y = xAdapter == x ? x.mmul(w.add(dw)) : x.mmul(w).add(xAdapter.mmul(dw));
        } else {
            y = x.mmul(w).add(factorisedDelta(sd, xAdapter, f, s));
        }
        return bias == null ? y : y.add(bias);
    }
}
