package dev.hora.spark.score;

import java.io.Serializable;
import java.util.Objects;

/**
 * What a scoring job computes, shipped to every executor (serialised with the task closure):
 * <pre>
 *   model          the backbone, resolved on each executor as --model is ({@link dev.hora.spark.Backbones}): the
 *                  built-in name, Maven coordinates, a model .jar or an .onnx file every executor can read (the
 *                  same path on every node, or a shared mount); or null with {@code merged} set
 *   tokenizer      tokenizer.json (same rule); null: the model's own (required with {@code merged})
 *   merged         a merged model file of {@code hora merge} (adapters folded in), or null
 *   textColumn     input column of the texts (string)
 *   idColumn       input column copied to the output, so the order is recoverable ({@code orderBy(id)})
 *   adapterColumn  input column naming each row's adapter (null: {@code adapter} on every row)
 *   adapter        the adapter of every row when adapterColumn is null; null: the base model (embeddings only)
 *   output         PROBABILITIES [n] per row (float) or EMBEDDING [d] (the pooled encoder output)
 *   batchSize      rows per forward pass (padding to the longest row of each batch, as {@code hora predict})
 *   threadsPerTask kernel threads of each task ({@code dev.hora.kernels.Parallel}); local[N] runs N tasks
 * </pre>
 */
public record ScoreSpec(String model, String tokenizer, String merged, String textColumn, String idColumn,
                        String adapterColumn, String adapter, Output output, int maxLength, int batchSize,
                        int threadsPerTask) implements Serializable {

    /** Per-row result: class probabilities or the pooled embedding. */
    public enum Output { PROBABILITIES, EMBEDDING }

    public ScoreSpec {
        if (model == null && tokenizer == null) {
            throw new IllegalArgumentException("tokenizer: a merged model needs its tokenizer.json");
        }
        Objects.requireNonNull(textColumn, "textColumn");
        Objects.requireNonNull(idColumn, "idColumn");
        Objects.requireNonNull(output, "output");
        if ((model == null) == (merged == null)) {
            throw new IllegalArgumentException("give exactly one of model (an .onnx backbone) and merged (a merged "
                    + "model file); got model=" + model + ", merged=" + merged);
        }
        if (merged != null && (adapterColumn != null || adapter != null || output == Output.EMBEDDING)) {
            throw new IllegalArgumentException("a merged model has its adapter folded in and gives probabilities "
                    + "only: adapterColumn, adapter and EMBEDDING are for a backbone with adapters");
        }
        if (merged == null && output == Output.PROBABILITIES && adapterColumn == null && adapter == null) {
            throw new IllegalArgumentException("probabilities need an adapter (its classification head): set adapter "
                    + "or adapterColumn");
        }
        if (maxLength < 2 || batchSize < 1 || threadsPerTask < 1) {
            throw new IllegalArgumentException("maxLength >= 2, batchSize >= 1, threadsPerTask >= 1; got "
                    + maxLength + ", " + batchSize + ", " + threadsPerTask);
        }
    }

    /** The key of the executor's model cache: one loaded model per JVM and (files, adapter bundle). */
    String cacheKey(long bundleId) {
        return model + "|" + merged + "|" + tokenizer + "|" + maxLength + "|" + bundleId;
    }
}
