package dev.hora.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Accuracy, macro-F1, per-class metrics and the confusion matrix of a set of predictions.
 *
 * <pre>
 * accuracy = sum_c C[c][c] / N
 * macroF1  = (1/K) sum_c F1_c       (every class weighs the same; F1_c = 0 if undefined)
 * </pre>
 *
 * @param confusion {@code confusion[t][p]}, rows = true class, columns = predicted class
 */
public record ClassificationReport(long examples, double accuracy, double macroF1, List<String> labels,
                                   List<ClassMetrics> perClass, long[][] confusion) {

    /** Computes the report of paired true and predicted labels, both in {@code [0, labels.size())}. */
    public static ClassificationReport of(int[] truth, int[] predicted, List<String> labels) {
        ConfusionMatrix m = ConfusionMatrix.of(truth, predicted, labels.size());
        return of(m, labels);
    }

    /** Computes the report of a confusion matrix. */
    public static ClassificationReport of(ConfusionMatrix m, List<String> labels) {
        if (labels.size() != m.numClasses()) {
            throw new IllegalArgumentException(labels.size() + " label names for " + m.numClasses() + " classes");
        }
        long n = m.total();
        long correct = 0;
        double f1Sum = 0;
        List<ClassMetrics> per = new ArrayList<>();
        for (int c = 0; c < m.numClasses(); c++) {
            long tp = m.count(c, c);
            correct += tp;
            double p = ratio(tp, m.predicted(c));
            double r = ratio(tp, m.support(c));
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            f1Sum += f1;
            per.add(new ClassMetrics(labels.get(c), p, r, f1, m.support(c)));
        }
        return new ClassificationReport(n, ratio(correct, n), f1Sum / m.numClasses(), List.copyOf(labels),
                List.copyOf(per), m.counts());
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
