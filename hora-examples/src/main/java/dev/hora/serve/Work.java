package dev.hora.serve;

import dev.hora.text.Batch;
import java.util.concurrent.CompletableFuture;

/**
 * One request's rows waiting for a forward pass.
 *
 * @param output    what the pass computes: class probabilities or pooled embeddings
 * @param modelName the adapter's name in the model (null: the base)
 * @param groupKey  requests with the same key may share a pass (same output, same head size)
 * @param batch     the request's tokens, padded to its longest text
 * @param result    completed with one row per text
 */
record Work(Output output, String modelName, String groupKey, Batch batch, long enqueuedNanos,
            CompletableFuture<float[][]> result) {
    /** What a forward pass returns. */
    enum Output { PROBABILITIES, EMBEDDINGS }

    static Work of(Output output, String modelName, int numClasses, Batch batch) {
        String key = output == Output.PROBABILITIES ? "p" + numClasses : "e";
        return new Work(output, modelName, key, batch, System.nanoTime(), new CompletableFuture<>());
    }

    int rows() {
        return batch.size();
    }

    int seq() {
        return batch.seqLength();
    }

    int tokens() {
        return rows() * seq();
    }
}
