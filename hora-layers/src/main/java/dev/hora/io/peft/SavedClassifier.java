package dev.hora.io.peft;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear classification head on a pooled encoder output, as {@link ClassifierFile} stores it:
 * <pre>
 *   pooled = mean_t(mask_t h_t) / max(sum_t mask_t, 1e-9)   (pooling "mean")   or  h_0  ("cls")   [b, d]
 *   logits = pooled weight + bias                                                               [b, C]
 * </pre>
 *
 * @param weight    [d, C] (this library's row-vector convention)
 * @param bias      [1, C]
 * @param pooling   "mean" or "cls"
 * @param labels    class names, index = class id (C entries)
 * @param maxLength tokens per text the head was trained with (truncation), 0 if unknown
 */
public record SavedClassifier(INDArray weight, INDArray bias, String pooling, List<String> labels, int maxLength) {
    /** The pooling names a file may hold. */
    public static final List<String> POOLINGS = List.of("mean", "cls");

    public SavedClassifier {
        labels = List.copyOf(labels);
        if (weight.rank() != 2 || bias.length() != weight.size(1) || labels.size() != weight.size(1)) {
            throw new IllegalArgumentException("classifier: weight must be [d, C], bias [1, C] and labels C names, got "
                    + java.util.Arrays.toString(weight.shape()) + ", " + java.util.Arrays.toString(bias.shape())
                    + " and " + labels.size() + " labels");
        }
        if (!POOLINGS.contains(pooling)) {
            throw new IllegalArgumentException("classifier: pooling '" + pooling + "' is not supported: allowed " + POOLINGS);
        }
        dev.hora.util.Checks.atLeast("classifier: maxLength", maxLength, 0);
    }
}
