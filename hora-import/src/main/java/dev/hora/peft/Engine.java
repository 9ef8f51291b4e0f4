package dev.hora.peft;

/**
 * Which implementation runs a {@link PeftModel}'s encoder (same results, tested against each other):
 * <ul>
 * <li>{@link #KERNELS} (default): encoder kernels and explicit adapter-factor kernels: the explicit
 *     forward/backward kernels of {@code dev.hora.kernels} ({@link dev.hora.backbone.BertBackbone}),
 *     and the adapters' factors with their hand-derived backward ({@link dev.hora.adapter.FactorKernels}).</li>
 * <li>{@link #KERNELS_FACTOR_GRAPH}: encoder kernels, adapters through the SameDiff FactorGraph: the
 *     adapters stay SameDiff graphs ({@link dev.hora.adapter.FactorGraph}) whose gradients come back as
 *     external errors (the kernel engine's previous behaviour; ~100 us per SameDiff op and step).</li>
 * <li>{@link #SAMEDIFF}: the whole model as one SameDiff graph, differentiated by SameDiff (the
 *     reference implementation, and the graph for users who want it: {@link PeftModel#sameDiff()}).</li>
 * </ul>
 */
public enum Engine {
    KERNELS, KERNELS_FACTOR_GRAPH, SAMEDIFF;

    /** True for the engines that run the encoder on the kernels ({@link #KERNELS}, {@link #KERNELS_FACTOR_GRAPH}). */
    public boolean kernels() {
        return this != SAMEDIFF;
    }
}
