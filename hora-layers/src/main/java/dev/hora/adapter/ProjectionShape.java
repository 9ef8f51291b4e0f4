package dev.hora.adapter;

import dev.hora.util.Checks;

/**
 * Shape of one adapted projection {@code y = x W + b}: W is {@code [dIn, dOut]} (row-vector
 * convention, as ONNX and DL4J store weights), split into {@code heads} column blocks of width
 * {@code dHead = dOut / heads}; head i owns columns {@code [i dHead, (i+1) dHead)}.
 *
 * @param dIn   input width d_in
 * @param dOut  output width d_out = H d_h
 * @param heads number of heads H (1 for a projection without heads)
 */
public record ProjectionShape(long dIn, long dOut, int heads) {

    /** @throws IllegalArgumentException naming the value and the allowed range */
    public ProjectionShape {
        Checks.check(dIn >= 1, "d_in", dIn, ">= 1");
        Checks.check(dOut >= 1, "d_out", dOut, ">= 1");
        Checks.atLeast("heads", heads, 1);
        if (dOut % heads != 0) {
            throw new IllegalArgumentException("heads = " + heads + " does not divide d_out = " + dOut
                    + ": allowed a divisor of " + dOut);
        }
    }

    /** Head width d_h = d_out / H. */
    public long dHead() {
        return dOut / heads;
    }
}
