package dev.hora.spark.train;

import dev.hora.config.AdapterConfig;
import dev.hora.onnx.bert.Pooling;
import java.io.Serializable;
import java.util.Objects;

/**
 * A data-parallel adapter training run, shipped to every barrier task:
 * <pre>
 *   model, tokenizer   the backbone as --model (built-in name, Maven coordinates, .jar or .onnx readable on every
 *                      node) and a tokenizer.json or null (the model's own); see {@link dev.hora.spark.Backbones}
 *   adapter, pooling   the adapter to train (its config) and the classifier's pooling; numClasses labels 0..n-1
 *   steps              optimizer steps in all; batchSize rows per step over all workers (the global batch)
 *   lr, warmupSteps    Adam with linear warm-up and decay to 0 at {@code steps} (Trainer.Builder#adam)
 *   seed               initial adapter and head (drawn once, on the driver)
 *   checkpointDir      where worker 0 writes the atomic checkpoint every {@code checkpointEvery} steps; it must be
 *                      shared by the driver and every worker (a local path in local[N]; NFS/a mounted bucket on a cluster)
 *   exchange           how the workers all-reduce ({@link GradientExchange.Kind}; SOCKET unless measuring Spark's own)
 * </pre>
 */
public record TrainSpec(String model, String tokenizer, int maxLength, AdapterConfig adapter, Pooling pooling,
                        int numClasses, int steps, int batchSize, double lr, int warmupSteps, long seed,
                        String checkpointDir, int checkpointEvery, int threadsPerTask,
                        GradientExchange.Kind exchange) implements Serializable {
    public TrainSpec {
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(pooling, "pooling");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        if (steps < 1 || batchSize < 1 || numClasses < 2 || checkpointEvery < 1 || threadsPerTask < 1 || !(lr > 0)) {
            throw new IllegalArgumentException("steps, batchSize, checkpointEvery, threadsPerTask >= 1, numClasses >= 2,"
                    + " lr > 0; got " + steps + ", " + batchSize + ", " + checkpointEvery + ", " + threadsPerTask + ", "
                    + numClasses + ", " + lr);
        }
    }
}
