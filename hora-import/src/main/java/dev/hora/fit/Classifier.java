package dev.hora.fit;

import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Anything that maps a token batch to class probabilities {@code [b, n]}: an adapted
 * {@link dev.hora.peft.PeftModel} or a {@link dev.hora.peft.MergedModel}.
 */
@FunctionalInterface
public interface Classifier {
    INDArray predictProba(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds);

    /** Adapter {@code name} of {@code model} on every row. */
    static Classifier of(dev.hora.peft.PeftModel model, String name) {
        return (ids, mask, types) -> model.predictProba(ids, mask, types,
                java.util.Collections.nCopies((int) ids.size(0), name));
    }

    /** Probabilities of every text, in batches of {@code batchSize}: [texts][classes]. */
    default float[][] probabilities(TokenBatcher tokenizer, List<String> texts, int batchSize) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<String> chunk = texts.subList(from, Math.min(texts.size(), from + batchSize));
            Batch b = tokenizer.encode(chunk);
            INDArray p = predictProba(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray());
            for (int i = 0; i < chunk.size(); i++) {
                out[from + i] = p.getRow(i).toFloatVector();
            }
        }
        return out;
    }

    /** Index of the largest probability of each row. */
    static int[] argmax(float[][] probabilities) {
        int[] pred = new int[probabilities.length];
        for (int i = 0; i < pred.length; i++) {
            for (int c = 1; c < probabilities[i].length; c++) {
                if (probabilities[i][c] > probabilities[i][pred[i]]) {
                    pred[i] = c;
                }
            }
        }
        return pred;
    }
}
