package dev.hora.adapter;

import dev.hora.config.Target;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An adapter kind's map from its parameters to its {@link Factors}, as explicit forward and backward
 * passes over ND4J arrays (no SameDiff): the same values as {@link Adapter#factors}, hand-derived
 * gradients.
 * <pre>
 *   forward:   theta (keys of paramShapes) --> per target t: (a_t [G, d_in, r], b_t [G, r, d_out/G], s folded in)
 *   backward:  (da_t, db_t) per target     --> dL/dtheta, same keys and shapes as theta
 * </pre>
 * Implementations: {@link DirectFactorKernel} (LoRA, MH-LoRA: the parameters are the factors) and
 * {@code HoraKernel} (the hypernetwork).
 */
public interface FactorKernel {

    /** The factors of one target, or their gradients. */
    record Pair(INDArray a, INDArray b) {
    }

    /** One evaluation at the parameters' values: its factors and what its backward needs. */
    interface Pass {
        /** a [G, d_in, r], b [G, r, d_g] by target (fresh arrays). */
        Map<Target, Pair> factors();

        /** dL/dtheta by parameter name (every parameter) from dL/da, dL/db of every target. */
        Map<String, INDArray> backward(Map<Target, Pair> gradients);
    }

    /** G of target t's factors: 1 for LoRA, the head count for the per-head kinds. */
    int groups(Target t);

    /** Evaluates the factors from {@code params} (keys as {@link Adapter#paramShapes()}). */
    Pass forward(Map<String, INDArray> params);
}
