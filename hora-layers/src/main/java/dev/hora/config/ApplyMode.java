package dev.hora.config;

/**
 * How an adapted projection is evaluated. Both give the same result (tested).
 * <pre>
 *   DENSE       y = x (W + dW) + b              dW [d_in, d_out] materialised once per forward pass
 *   FACTORISED  y = x W + b + [ (x A_i) B_i ]_i   never forms dW; cost grows with the token count
 * </pre>
 * The default was chosen by measurement ({@code AdapterBench}): see the README's results.
 */
public enum ApplyMode {
    DENSE, FACTORISED
}
