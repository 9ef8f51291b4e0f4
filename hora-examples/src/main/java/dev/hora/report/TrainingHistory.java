package dev.hora.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What a training run records for its chart and its JSON summary: the loss after every optimizer
 * step and the accuracy after every epoch (on the validation split; optionally on the training set).
 */
public final class TrainingHistory {
    private final List<Double> stepLoss = new ArrayList<>();
    private final List<Double> epochValidationAccuracy = new ArrayList<>();
    private final List<Double> epochTrainAccuracy = new ArrayList<>();

    /** Records the loss of the next step. */
    public synchronized void step(double loss) {
        stepLoss.add(loss);
    }

    /** Records the accuracies of the next epoch; {@code trainAccuracy} may be NaN if not measured. */
    public synchronized void epoch(double validationAccuracy, double trainAccuracy) {
        epochValidationAccuracy.add(validationAccuracy);
        epochTrainAccuracy.add(trainAccuracy);
    }

    /** Loss per step, in order. */
    public synchronized List<Double> stepLoss() {
        return List.copyOf(stepLoss);
    }

    /** Validation accuracy per epoch, in order. */
    public synchronized List<Double> epochValidationAccuracy() {
        return List.copyOf(epochValidationAccuracy);
    }

    /** Training accuracy per epoch (NaN where not measured). */
    public synchronized List<Double> epochTrainAccuracy() {
        return List.copyOf(epochTrainAccuracy);
    }
}
