package dev.hora.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss over named, live trainable tensors, with its gradient, computed by whatever engine owns
 * the model (the kernel path of an adapter, or SameDiff's autodiff: {@link SameDiffObjective}):
 * <pre>
 *   (loss, {dL/dtheta_p}) = lossAndGradients(batch)        theta_p = parameters().get(p), updated in place
 * </pre>
 * {@link Trainer} steps the optimizer on it; every gradient has its parameter's shape.
 */
public interface Objective {

    /** Live arrays of the trainable tensors, by name, in a stable (update) order. */
    Map<String, INDArray> parameters();

    /**
     * Called by the trainer before each step with the 0-based optimizer step: whatever is random per
     * step (dropout masks) derives from it, so a resumed run draws the same masks. Default: nothing.
     */
    default void beginStep(int iteration) {
    }

    /** The loss of one batch and dL/dtheta for every name of {@link #parameters()}. */
    Result lossAndGradients(Map<String, INDArray> batch);

    /**
     * Factor on the learning rate of parameters other than 1, by name (e.g. HoRA's generator); the
     * trainer applies them unless told otherwise. Default: none.
     */
    default Map<String, Double> lrMultipliers() {
        return Map.of();
    }

    /**
     * Called by the trainer after it wrote the parameters (a step, a restore): whatever was derived
     * from them (cached adapter factors for inference) must be recomputed. Default: nothing.
     */
    default void parametersChanged() {
    }

    /** Scalar loss and gradients by parameter name. */
    record Result(double loss, Map<String, INDArray> gradients) {
    }
}
