package dev.hora.fit;

import dev.hora.metrics.ClassificationReport;
import java.util.List;

/**
 * What {@link Fit#fit} did: the step chosen on validation (the last step without a validation split),
 * whose parameters the adapter holds afterwards, and every validation on the way.
 *
 * @param validation the chosen step's validation report, null without a validation split
 * @param bestStep   the chosen step (1-based count of optimizer steps)
 * @param steps      optimizer steps of the whole run
 * @param history    (step, accuracy, macro-F1) of every validation
 */
public record FitResult(ClassificationReport validation, int bestStep, int steps, List<BestOnValidation.Point> history) {
}
