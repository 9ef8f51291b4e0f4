package dev.hora.adapter.hora;

import dev.hora.config.Activation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Maps {@link Activation} to SameDiff ops, and the same functions with their derivatives on {@code double[]}
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

    /** u = act(p) element by element, a new array. */
    static double[] forward(double[] p, Activation act) {
        double[] u = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double x = p[i];
            u[i] = switch (act) {
                case TANH -> Math.tanh(x);
                case RELU -> Math.max(x, 0);
                case SIGMOID -> sigmoid(x);
                case GELU -> x * sigmoid(GELU_C * x);
                case IDENTITY -> x;
            };
        }
        return u;
    }

    /** dL/dp = dL/du * act'(p), in place in {@code du}; u = act(p) from {@link #forward}. */
    static void backwardInPlace(double[] du, double[] p, double[] u, Activation act) {
        for (int i = 0; i < du.length; i++) {
            double d = switch (act) {
                case TANH -> 1 - u[i] * u[i];
                case RELU -> p[i] > 0 ? 1 : 0;
                case SIGMOID -> u[i] * (1 - u[i]);
                case GELU -> {
                    double s = sigmoid(GELU_C * p[i]);
                    yield s + GELU_C * p[i] * s * (1 - s);
                }
                case IDENTITY -> 1;
            };
            du[i] *= d;
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
