package dev.hora.train;

import java.util.Collection;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gradient clipping by the global L2 norm over all trainable tensors, as
 * {@code torch.nn.utils.clip_grad_norm_}:
 * <pre>
 *   n = sqrt( sum_p ||g_p||_2^2 )                  over every trainable tensor p
 *   c = maxNorm / (n + 1e-6)
 *   g_p <- c g_p   for every p,   only when c < 1
 * </pre>
 * The direction of the joint gradient is kept; only its length is capped.
 */
public final class GlobalNormClipping {
    /** Added to the norm before dividing, as PyTorch does. */
    public static final double EPS = 1e-6;

    private GlobalNormClipping() {
    }

    /**
     * The global norm {@code n} of the gradients, summed in double precision in Java: a few dozen small
     * tensors per step, where libnd4j's reduction op cost up to ~0.5 ms a call (its OpenMP team waiting
     * on a busy core) and was ~14 % of a 1-thread training step.
     */
    public static double globalNorm(Collection<INDArray> grads) {
        double sq = 0;
        for (INDArray g : grads) {
            sq += squaredNorm(g);
        }
        return Math.sqrt(sq);
    }

    private static double squaredNorm(INDArray g) {
        INDArray c = g.isView() || g.ordering() != 'c' || g.length() != g.data().length() ? g.dup('c') : g;
        double s = 0;
        if (c.dataType() == DataType.FLOAT) {
            for (float v : c.data().asFloat()) {
                s += (double) v * v;
            }
        } else if (c.dataType() == DataType.DOUBLE) {
            for (double v : c.data().asDouble()) {
                s += v * v;
            }
        } else {
            double n = c.norm2Number().doubleValue();
            s = n * n;
        }
        return s;
    }

    /**
     * Scales the gradients in place when their global norm exceeds {@code maxNorm}.
     *
     * @param maxNorm the cap; {@code <= 0} or infinite disables clipping
     * @return the global norm before clipping
     */
    public static double clip(Collection<INDArray> grads, double maxNorm) {
        double n = globalNorm(grads);
        if (maxNorm > 0 && Double.isFinite(maxNorm)) {
            double c = maxNorm / (n + EPS);
            if (c < 1) {
                for (INDArray g : grads) {
                    g.muli(c);
                }
            }
        }
        return n;
    }
}
