package dev.hora.spark.train;

import java.io.Serializable;
import java.util.List;

/**
 * What one barrier task returns: its adapter after the last step (flattened in trainable order, so the driver
 * checks every worker holds the same one), the global loss of each step it ran, and its time per step split
 * into the shard's forward/backward/update and the all-reduce (barrier included).
 */
public record WorkerResult(int worker, int firstStep, List<String> names, float[] params, float[] losses,
                           long computeNanos, long allReduceNanos, long bytesSent) implements Serializable {
}
