package dev.hora.text;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One tokenised batch, padded on the right to the longest sequence of this batch.
 *
 * <pre>
 * inputIds      [batch, seq]  token ids, padId after the end
 * attentionMask [batch, seq]  1 for tokens, 0 for padding
 * tokenTypeIds  [batch, seq]  segment ids (0 for single sentences)
 * </pre>
 */
public record Batch(long[][] inputIds, long[][] attentionMask, long[][] tokenTypeIds) {
    public Batch {
        if (inputIds.length != attentionMask.length || inputIds.length != tokenTypeIds.length) {
            throw new IllegalArgumentException("inconsistent batch sizes");
        }
    }

    /** Number of sequences. */
    public int size() {
        return inputIds.length;
    }

    /** Padded sequence length (0 for an empty batch). */
    public int seqLength() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** {@code input_ids} as an int64 array {@code [batch, seq]}. */
    public INDArray inputIdsArray() {
        return Nd4j.createFromArray(inputIds);
    }

    /** {@code attention_mask} as an int64 array {@code [batch, seq]}. */
    public INDArray attentionMaskArray() {
        return Nd4j.createFromArray(attentionMask);
    }

    /** {@code token_type_ids} as an int64 array {@code [batch, seq]}. */
    public INDArray tokenTypeIdsArray() {
        return Nd4j.createFromArray(tokenTypeIds);
    }
}
