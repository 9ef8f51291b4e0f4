package dev.hora.config;

/**
 * How an adapted projection is evaluated. Both give the same result (tested).
 * <pre>
 *   DENSE       y = x (W + dW) + b              dW [d_in, d_out] materialised once per forward pass
 *   FACTORISED  y = x W + b + [ (x A_i) B_i ]_i   never forms dW; cost grows with the token count
 * </pre>
 * AUTO (the default) picks by measurement ({@code AdapterBench}, d = 384, H = 12, r = 8, idle 2-core
 * machine): FACTORISED for LoRA (one group; training step at 2048 tokens 35-43 ms vs dense 93-159 ms),
 * DENSE for the per-head adapters (HoRA at 2048 tokens 54-58 ms vs factorised 71-80 ms; equal at 512).
 */
public enum ApplyMode {
    DENSE, FACTORISED, AUTO;

    /** The mode used for factors with {@code groups} column groups (resolves AUTO). */
    public ApplyMode resolve(int groups) {
        if (this != AUTO) {
            return this;
        }
        return groups == 1 ? FACTORISED : DENSE;
    }
}
