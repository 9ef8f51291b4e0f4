package dev.hora.metrics;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs: {@code counts[t][p]}.
 *
 * <pre>
 *            predicted 0  predicted 1
 *   true 0       TN           FP        (for class 1)
 *   true 1       FN           TP
 * </pre>
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    /** An empty matrix for {@code k} classes. */
    public ConfusionMatrix(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("need at least one class, got " + k);
        }
        counts = new long[k][k];
    }

    /** Builds the matrix of paired labels. */
    public static ConfusionMatrix of(int[] truth, int[] predicted, int k) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " true labels but " + predicted.length + " predictions");
        }
        ConfusionMatrix m = new ConfusionMatrix(k);
        for (int i = 0; i < truth.length; i++) {
            m.add(truth[i], predicted[i]);
        }
        return m;
    }

    /** Counts one example. */
    public void add(int truth, int predicted) {
        int k = counts.length;
        if (truth < 0 || truth >= k || predicted < 0 || predicted >= k) {
            throw new IllegalArgumentException("label out of range [0, " + k + "): true " + truth + ", predicted " + predicted);
        }
        counts[truth][predicted]++;
    }

    /** Number of classes. */
    public int numClasses() {
        return counts.length;
    }

    /** {@code counts[t][p]}. */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** A copy of the counts. */
    public long[][] counts() {
        return Arrays.stream(counts).map(long[]::clone).toArray(long[][]::new);
    }

    /** Total number of examples. */
    public long total() {
        return Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
    }

    /** Examples of true class {@code c} (row sum). */
    public long support(int c) {
        return Arrays.stream(counts[c]).sum();
    }

    /** Examples predicted as {@code c} (column sum). */
    public long predicted(int c) {
        long s = 0;
        for (long[] row : counts) {
            s += row[c];
        }
        return s;
    }
}
