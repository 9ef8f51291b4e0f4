package dev.hora.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What a training run records for its chart and its JSON summary: the loss after every optimizer
 * step, and at every checkpoint (end of an epoch) the step and the accuracy measured there on the
 * validation and the test set (NaN where a set was not measured).
 */
public final class TrainingHistory {
    /** Accuracies after {@code step} optimizer steps. */
    public record Checkpoint(int step, double validationAccuracy, double testAccuracy) {
    }

    private final List<Double> stepLoss = new ArrayList<>();
    private final List<Checkpoint> checkpoints = new ArrayList<>();

    /** Records the loss of the next step. */
    public synchronized void step(double loss) {
        stepLoss.add(loss);
    }

    /** Records a checkpoint after {@code step} optimizer steps. */
    public synchronized void checkpoint(int step, double validationAccuracy, double testAccuracy) {
        checkpoints.add(new Checkpoint(step, validationAccuracy, testAccuracy));
    }

    /** Loss per step, in order. */
    public synchronized List<Double> stepLoss() {
        return List.copyOf(stepLoss);
    }

    /** The checkpoints, in order. */
    public synchronized List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    /** Test accuracy per checkpoint, in order. */
    public synchronized List<Double> epochTestAccuracy() {
        return checkpoints.stream().map(Checkpoint::testAccuracy).toList();
    }
}
