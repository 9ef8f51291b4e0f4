package dev.hora.io;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A training checkpoint: the trainable tensors (adapter parameters, optimizer state, ...) after
 * {@code step} optimizer steps, plus free-form string metadata (epoch, seed, settings JSON, ...).
 */
public record Checkpoint(long step, Map<String, INDArray> tensors, Map<String, String> metadata) {
    public Checkpoint {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        tensors = Map.copyOf(tensors);
        metadata = Map.copyOf(metadata);
    }
}
