package dev.hora.metrics;

/**
 * Precision, recall and F1 of one class (0 where undefined: no predictions or no support).
 *
 * <pre>
 * precision = TP / (TP + FP)   recall = TP / (TP + FN)   F1 = 2 P R / (P + R)
 * </pre>
 */
public record ClassMetrics(String label, double precision, double recall, double f1, long support) {
}
