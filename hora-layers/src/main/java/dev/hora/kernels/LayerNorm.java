package dev.hora.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNorm over the last axis with frozen gamma and beta, and its input gradient:
 * <pre>
 *   forward   mu = mean(x), rstd = 1 / sqrt(var(x) + eps), xhat = (x - mu) rstd,  y = xhat gamma + beta
 *             x [n, d] -> y [n, d]; saved: xhat [n, d], rstd [n, 1]
 *   backward  t = dy gamma;  dx = rstd (t - mean(t) - xhat mean(t xhat))          (means over d)
 * </pre>
 * (var is the population variance, as in BERT.) gamma and beta are never differentiated.
 */
public final class LayerNorm {
    private LayerNorm() {
    }

    /** Output and what {@link #backward} needs. */
    public record Saved(INDArray y, INDArray xhat, INDArray rstd) {
    }

    /** x is overwritten (it becomes xhat). */
    public static Saved forwardInPlace(INDArray x, INDArray gamma, INDArray beta, double eps) {
        return forwardInPlace(x, null, gamma, beta, eps);
    }

    /** LN(x + residual) [n, d] (a post-LN block's sum and norm in one pass); x is overwritten (it becomes xhat). */
    public static Saved forwardInPlace(INDArray x, INDArray residual, INDArray gamma, INDArray beta, double eps) {
        if (CpuLoops.applies(x, residual, gamma, beta) && sameLayout(x, residual)) {
            INDArray y = Nd4j.createUninitialized(x.dataType(), x.shape());
            INDArray rstd = Nd4j.createUninitialized(x.dataType(), x.size(0), 1);
            CpuLoops.layerNorm(x, residual, gamma, beta, eps, y, x, rstd);
            return new Saved(y, x, rstd);
        }
        if (residual != null) {
            x.addi(residual);
        }
        INDArray mean = x.mean(true, 1);                                // [n, 1]
        INDArray xhat = Broadcast.subColumn(x, mean);                   // [n, d]
        INDArray var = xhat.mul(xhat).mean(true, 1);     // [n, 1]
        INDArray rstd = Transforms.sqrt(var.addi(eps), false).rdivi(1.0);
        Broadcast.mulColumn(xhat, rstd);
        INDArray y = Broadcast.addRow(Broadcast.mulRow(xhat.dup(), gamma), beta);
        return new Saved(y, xhat, rstd);
    }

    /** Inference: y only, x overwritten with y. */
    public static INDArray inferInPlace(INDArray x, INDArray gamma, INDArray beta, double eps) {
        return inferInPlace(x, null, gamma, beta, eps);
    }

    /** Inference: LN(x + residual) only, written over x. */
    public static INDArray inferInPlace(INDArray x, INDArray residual, INDArray gamma, INDArray beta, double eps) {
        if (CpuLoops.applies(x, residual, gamma, beta) && sameLayout(x, residual)) {
            CpuLoops.layerNorm(x, residual, gamma, beta, eps, x, null, null);
            return x;
        }
        if (residual != null) {
            x.addi(residual);
        }
        INDArray mean = x.mean(true, 1);
        Broadcast.subColumn(x, mean);
        INDArray var = x.mul(x).mean(true, 1);
        Broadcast.mulColumn(x, Transforms.sqrt(var.addi(eps), false).rdivi(1.0));
        return Broadcast.addRow(Broadcast.mulRow(x, gamma), beta);
    }

    /** No residual, or one of x's shape that the loops read as x (both c-order rows of d). */
    private static boolean sameLayout(INDArray x, INDArray residual) {
        return residual == null || (Arrays.equals(x.shape(), residual.shape()) && residual.ordering() == 'c'
                && StridedGemm.contiguous(residual) == residual);
    }

    /** dx [n, d] from dy [n, d]; dy is overwritten. */
    public static INDArray backwardInPlace(INDArray dy, INDArray gamma, Saved s) {
        if (CpuLoops.applies(dy, gamma)) {
            CpuLoops.layerNormBack(dy, gamma, s.xhat(), s.rstd(), dy);
            return dy;
        }
        INDArray t = Broadcast.mulRow(dy, gamma);                       // [n, d]
        INDArray m1 = t.mean(true, 1);                                  // [n, 1]
        INDArray m2 = t.mul(s.xhat()).mean(true, 1);                    // [n, 1]
        INDArray xm2 = Broadcast.mulColumn(s.xhat().dup(), m2);        // [n, d]
        return Broadcast.mulColumn(Broadcast.subColumn(t, m1).subi(xm2), s.rstd());
    }
}
