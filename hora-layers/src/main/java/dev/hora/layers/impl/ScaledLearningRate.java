package dev.hora.layers.impl;

import java.util.Objects;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * A learning-rate schedule {@code lr'(iteration, epoch) = m * lr(iteration, epoch)} of a base updater
 * (fixed rate or its own schedule), used for one parameter's updater in a DL4J layer:
 * <pre>
 *   IUpdater u' = u.clone();  u'.setLrAndSchedule(m lr(0, 0), new ScaledLearningRate(u, m))
 * </pre>
 * Adam, Sgd, Nesterovs, RmsProp, ... all read their rate through {@code getLearningRate}, which takes
 * the schedule when one is set, so the whole step (weight decay's lr-scaled part included) is m times
 * the base step on the first iteration, and m times the base schedule afterwards.
 */
public final class ScaledLearningRate implements ISchedule {
    private static final long serialVersionUID = 1L;

    private final IUpdater base;
    private final double multiplier;

    private ScaledLearningRate(IUpdater base, double multiplier) {
        this.base = base;
        this.multiplier = multiplier;
    }

    /**
     * A copy of {@code updater} whose learning rate is {@code multiplier} times its own.
     *
     * @param setting the name of the setting that asks for it, for the error message
     * @throws IllegalArgumentException when the updater has no learning rate (NoOp, AdaDelta)
     */
    public static IUpdater scale(IUpdater updater, double multiplier, String setting) {
        if (updater == null || !updater.hasLearningRate()) {
            throw new IllegalArgumentException(setting + " = " + multiplier + " needs an updater with a learning rate, "
                    + "but the layer's updater is " + (updater == null ? "none" : updater.getClass().getSimpleName())
                    + ": allowed " + setting + " = 1 with it, or an updater such as Adam or Sgd");
        }
        IUpdater base = updater.clone();
        IUpdater scaled = updater.clone();
        scaled.setLrAndSchedule(multiplier * base.getLearningRate(0, 0), new ScaledLearningRate(base, multiplier));
        return scaled;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return multiplier * base.getLearningRate(iteration, epoch);
    }

    @Override
    public ISchedule clone() {
        return new ScaledLearningRate(base.clone(), multiplier);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScaledLearningRate s && s.multiplier == multiplier && s.base.equals(base);
    }

    @Override
    public int hashCode() {
        return Objects.hash(base, multiplier);
    }

    @Override
    public String toString() {
        return multiplier + " x " + base;
    }
}
