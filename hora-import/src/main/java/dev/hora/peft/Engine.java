package dev.hora.peft;

/**
 * Which implementation runs a {@link PeftModel}'s encoder (same results, tested against each other):
 * <ul>
 * <li>{@link #KERNELS} (default): the explicit forward/backward kernels of {@code dev.hora.kernels}
 *     ({@link dev.hora.peft.kernel.KernelEncoder}); the adapters stay SameDiff graphs
 *     ({@link dev.hora.adapter.FactorGraph}) whose gradients come back as external errors.</li>
 * <li>{@link #SAMEDIFF}: the whole model as one SameDiff graph, differentiated by SameDiff (the
 *     reference implementation, and the graph for users who want it: {@link PeftModel#sameDiff()}).</li>
 * </ul>
 */
public enum Engine {
    KERNELS, SAMEDIFF
}
