package dev.hora.backbone;

import dev.hora.config.Target;
import dev.hora.kernels.Dropout;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adapter dropout of one training step (PEFT's lora_dropout): the input of every factorised adapter
 * path is dropped with probability p, the frozen path sees x itself:
 * <pre>
 *   y = x W + b + [(drop(x) a_g) b_g],   drop(x) = x m,  m = Dropout.mask(seed, step, site(layer, target))
 * </pre>
 * Masks are drawn again in the backward pass (same seed, step, site) instead of being stored.
 *
 * @param p    drop probability; 0 = off
 * @param seed the adapter config's seed
 * @param step the optimizer step
 */
public record Dropouts(double p, long seed, long step) {
    public static final Dropouts NONE = new Dropouts(0, 0, 0);

    /** The scaled mask for x at (layer, target), or null when off. */
    public INDArray mask(INDArray x, int layer, Target t) {
        return p <= 0 ? null : Dropout.mask(x, p, seed, step, (long) layer * Target.values().length + t.ordinal());
    }
}
