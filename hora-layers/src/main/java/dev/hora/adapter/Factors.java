package dev.hora.adapter;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Low-rank factors of one projection's update in a common block form, scale included:
 * <pre>
 *   dW = [ a_1 b_1 | a_2 b_2 | ... | a_G b_G ]      a [G, d_in, r], b [G, r, d_out / G]
 * </pre>
 * LoRA has one group (G = 1, b spans all columns); MH-LoRA and HoRA have one group per head
 * (G = H). The scale s is already folded into {@code b}.
 *
 * @param a      [G, d_in, r]
 * @param b      [G, r, d_out / G], times s
 * @param groups G
 * @param rank   r
 */
public record Factors(SDVariable a, SDVariable b, int groups, int rank) {
}
