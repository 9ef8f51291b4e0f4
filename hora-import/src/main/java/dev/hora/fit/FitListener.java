package dev.hora.fit;

import dev.hora.metrics.ClassificationReport;

/**
 * What {@link Fit#fit} reports while it trains, in this order per epoch:
 * <pre>
 *   onEpochStart -> (onStep [-> onValidation] [-> beforeCheckpoint])* -> onEpochTrained -> [onValidation] -> onEpochEnd
 * </pre>
 * Steps are 1-based counts of optimizer steps taken. Every method does nothing by default; a listener
 * that throws stops training (the last checkpoint stays the one a resume finds).
 */
public interface FitListener {

    /** Training continues from a checkpoint: {@code step} steps done, next batch {@code batch} of {@code epoch}. */
    default void onResumed(int step, int epoch, int batch, int epochs) {
    }

    /** An epoch begins (0-based {@code epoch}); it will run {@code steps} optimizer steps. */
    default void onEpochStart(int epoch, int epochs, int steps) {
    }

    /** One optimizer step on {@code examples} examples: its loss and the learning rate it used. */
    default void onStep(int step, float loss, double learningRate, int examples) {
    }

    /** The validation split was scored after {@code step} steps. */
    default void onValidation(int step, ClassificationReport validation) {
    }

    /** A checkpoint is about to be written after {@code step} steps. */
    default void beforeCheckpoint(int step) {
    }

    /** The epoch's steps are done (before its validation and checkpoint). */
    default void onEpochTrained(int epoch, int epochs) {
    }

    /** The epoch is done; {@code validation} is its end's validation, null without a validation split. */
    default void onEpochEnd(int epoch, int epochs, int step, BestOnValidation.Point validation) {
    }
}
