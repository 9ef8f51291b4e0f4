package dev.hora.compare;

import java.util.Locale;
import java.util.Map;

/**
 * One finished cell of a sweep: a line of {@code runs.jsonl}.
 *
 * @param phase            {@code lr} (learning-rate selection) or {@code sweep} (the measurement)
 * @param variant          {@link Variant#label()}
 * @param adapter          adapter kind (none, lora, mh-lora, hora)
 * @param options          the variant's adapter options
 * @param fraction         share of the training split used, in (0, 1]
 * @param seed             seed of subsample, validation split, initialisation and batch order
 * @param lr               peak learning rate
 * @param rank             rank per head (0 for none)
 * @param trainableParams  scalars the optimizer updates (adapter + head)
 * @param trainExamples    examples trained on; validation/test examples as scored
 * @param steps            optimizer steps (the sweep's budget); bestStep the one chosen on validation
 * @param wallSeconds      wall time of the cell
 */
public record CellResult(String phase, String variant, String adapter, Map<String, String> options, double fraction,
                         long seed, double lr, int rank, long trainableParams, int trainExamples,
                         int validationExamples, int testExamples, int steps, int bestStep,
                         double validationAccuracy, double validationMacroF1, double testAccuracy, double testMacroF1,
                         double wallSeconds) {
    public static final String LR = "lr";
    public static final String SWEEP = "sweep";

    /** Identity of the cell: phase, variant, fraction, seed and learning rate. */
    public String key() {
        return key(phase, variant, fraction, seed, lr);
    }

    public static String key(String phase, String variant, double fraction, long seed, double lr) {
        return String.format(Locale.ROOT, "%s|%s|%s|%d|%s", phase, variant, fraction, seed, lr);
    }

    /** The same result recorded in another phase (the selection cell reused as a sweep cell). */
    public CellResult inPhase(String p) {
        return new CellResult(p, variant, adapter, options, fraction, seed, lr, rank, trainableParams, trainExamples,
                validationExamples, testExamples, steps, bestStep, validationAccuracy, validationMacroF1, testAccuracy,
                testMacroF1, wallSeconds);
    }
}
