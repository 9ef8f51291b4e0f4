package dev.hora.adapter.hora;

import dev.hora.config.Activation;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** Maps {@link Activation} to SameDiff ops. */
final class Activations {
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
}
