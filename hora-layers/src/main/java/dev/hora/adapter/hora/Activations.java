package dev.hora.adapter.hora;

import dev.hora.config.Activation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Maps {@link Activation} to SameDiff ops, and the same functions with their derivatives on ND4J arrays
 * for {@link HoraKernel}:
 * <pre>
 *   tanh      u = tanh p                    u' = 1 - u^2
 *   relu      u = max(p, 0)                 u' = [p > 0]
 *   sigmoid   u = sigma(p)                  u' = u (1 - u)
 *   gelu      u = p sigma(c p)              u' = sigma(c p) + c p sigma(c p) (1 - sigma(c p)),  c = 1.702f
 *   identity  u = p                         u' = 1
 * </pre>
 * gelu is SameDiff M2.1's {@code sd.nn.gelu} (libnd4j's GELU op: the sigmoid approximation with the
 * float constant 1.702f, not the erf form), matched value for value.
 */
final class Activations {
    /** libnd4j's GELU constant, a float widened to double as in the op's double instantiation. */
    static final double GELU_C = 1.702f;

    private Activations() {
    }

    static SDVariable apply(SameDiff sd, SDVariable x, Activation act) {
        return switch (act) {
            case TANH -> sd.math.tanh(x);
            case RELU -> sd.nn.relu(x, 0.0);
            case GELU -> sd.nn.gelu(x);
            case SIGMOID -> sd.nn.sigmoid(x);
            case IDENTITY -> x;
        };
    }

    /** u = act(p), a new array. */
    static INDArray forward(INDArray p, Activation act) {
        return switch (act) {
            case TANH -> Transforms.tanh(p, true);
            case RELU -> Transforms.relu(p, true);
            case GELU -> Transforms.sigmoid(p.mul(GELU_C), false).muli(p);
            case SIGMOID -> Transforms.sigmoid(p, true);
            case IDENTITY -> p.dup();
        };
    }

    /** dL/dp = dL/du * act'(p), in place in {@code du}; u = act(p) from {@link #forward}. */
    static INDArray backwardInPlace(INDArray du, INDArray p, INDArray u, Activation act) {
        return switch (act) {
            case TANH -> du.muli(u.mul(u).rsubi(1.0));
            case RELU -> du.muli(Transforms.step(p, true));
            case GELU -> {
                INDArray cp = p.mul(GELU_C);
                INDArray sig = Transforms.sigmoid(cp, true);
                yield du.muli(sig.rsub(1.0).muli(sig).muli(cp).addi(sig));   // sigma + c p sigma (1 - sigma)
            }
            case SIGMOID -> du.muli(u.rsub(1.0).muli(u));
            case IDENTITY -> du;
        };
    }
}
