package dev.hora.train;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * ND4J's Adam step with decoupled weight decay and a learning-rate multiplier, in one pass over the raw float
 * buffers of a parameter theta [n], its gradient g [n] and its state [m | v] (the updater's view [1, 2n], the same
 * layout ND4J's {@code AdamUpdater} keeps, so {@link Trainer#state()} and resumed runs do not change):
 * <pre>
 *   b1t = b1^(t+1),  b2t = b2^(t+1),  alpha = lr sqrt(1 - b2t) / (1 - b1t)          (t: 0-based step)
 *   m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2
 *   u = alpha m / (sqrt(v) + eps) + lr wd theta ;  u *= multiplier ;  theta -= u
 * </pre>
 * The order and float precision of libnd4j's adam_updater op followed by {@code WeightDecay(wd, applyLR)},
 * the multiplier and the subtraction, which took ~5 ND4J buffers and 3-4 native calls per tensor and step (74
 * tensors a HoRA step on q, v); results equal that path to float rounding (the power of the betas is computed in
 * double here).
 */
final class FusedAdam {
    private FusedAdam() {
    }

    /** True when the fused step applies: exactly ND4J's Adam config, float, contiguous 'c' arrays. */
    static boolean applies(IUpdater updater, INDArray theta, INDArray g, INDArray state) {
        return updater.getClass() == Adam.class && dense(theta) && dense(g) && dense(state)
                && g.length() == theta.length() && state.length() == 2 * theta.length();
    }

    private static boolean dense(INDArray a) {
        return a != null && a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isEmpty()
                && (a.length() == 1 || a.elementWiseStride() == 1) && a.offset() + a.length() <= a.data().length();
    }

    /**
     * One step on theta (in place), state [m | v] (in place); g is read only.
     *
     * @param lr     the learning rate of this step (the schedule's value)
     * @param decay  lr * wd (0 without weight decay)
     */
    static void step(Adam conf, INDArray theta, INDArray g, INDArray state, double lr, double decay,
                     double multiplier, int iteration) {
        float b1 = (float) conf.getBeta1();
        float b2 = (float) conf.getBeta2();
        float eps = (float) conf.getEpsilon();
        float b1t = (float) Math.pow(b1, iteration + 1);
        float b2t = (float) Math.pow(b2, iteration + 1);
        float alpha = (float) lr * (float) Math.sqrt(1f - b2t) / (1f - b1t);
        if (Float.isNaN(alpha) || Float.isInfinite(alpha) || alpha == 0) {
            alpha = eps;   // as libnd4j does
        }
        float wd = (float) decay;
        float mult = (float) multiplier;
        float c1 = 1f - b1;
        float c2 = 1f - b2;
        int n = (int) theta.length();
        FloatBuffer p = theta.data().asNioFloat();
        FloatBuffer gb = g.data().asNioFloat();
        FloatBuffer s = state.data().asNioFloat();
        int p0 = (int) theta.offset();
        int g0 = (int) g.offset();
        int m0 = (int) state.offset();
        int v0 = m0 + n;
        for (int i = 0; i < n; i++) {
            float gi = gb.get(g0 + i);
            float m = b1 * s.get(m0 + i) + gi * c1;
            float v = b2 * s.get(v0 + i) + gi * gi * c2;
            s.put(m0 + i, m);
            s.put(v0 + i, v);
            float th = p.get(p0 + i);
            float u = m * alpha / ((float) Math.sqrt(v) + eps);
            if (wd != 0) {
                u += wd * th;
            }
            p.put(p0 + i, th - u * mult);
        }
    }
}
