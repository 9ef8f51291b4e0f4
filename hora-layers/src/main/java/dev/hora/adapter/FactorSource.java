package dev.hora.adapter;

import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the kernel engine needs from the adapters of a model: the factors (or dW) every adapted
 * projection applies, computed from the live parameters, and the chain rule back to them.
 * <pre>
 *   forward:   theta --(LoRA / MH-LoRA / HoRA map)--> F_k = (a [G, d_in, r], s b [G, r, d_g])   FACTORISED
 *                                                   or F_k = dW [d_in, d_out]                   DENSE
 *   backward:  G_k = dL/dF_k (from the kernels)  -->  dL/dtheta = sum_k G_k dF_k/dtheta
 * </pre>
 * Implementations: {@link FactorKernels} (explicit forward/backward over ND4J arrays, the default)
 * and {@link FactorGraph} (the same as one SameDiff graph, the reference). Arrays returned by
 * {@link #forward} and {@link #backward} are detached from every ND4J workspace.
 */
public interface FactorSource {
    /** One adapted projection: layer index and target. */
    record Key(int layer, Target target) {
    }

    /** What the kernels apply at one projection: {@code deltaW} (DENSE) or {@code a}, {@code b} (FACTORISED). */
    record Values(ApplyMode mode, INDArray a, INDArray b, INDArray deltaW) {
    }

    /** The projections, in layer then target order, with their resolved modes. */
    Map<Key, ApplyMode> modes();

    /** Live parameter arrays by name ({@code naming(layer, param)}). */
    Map<String, INDArray> parameters();

    /** Evaluates every projection's factors (or dW) from the current parameters. */
    Map<Key, Values> forward();

    /**
     * dL/dtheta by parameter name from dL/dF_k ({@link Values} with the gradient in place of each
     * value, same shapes, detached from any workspace), for every parameter (trainable or not).
     */
    Map<String, INDArray> backward(Map<Key, Values> factorGradients);

    /**
     * The mode of a projection whose factors have {@code groups} column groups: the config's
     * {@link ApplyMode} resolved, except with adapter dropout: FACTORISED, where the dropped input feeds
     * only the low-rank path ({@code y = x W + b + [(drop(x) a_g) b_g]}, as PEFT's lora_dropout).
     */
    static ApplyMode mode(Adapter adapter, int groups) {
        return adapter.config().getDropout() > 0 ? ApplyMode.FACTORISED
                : adapter.config().getApplyMode().resolve(groups);
    }
}
