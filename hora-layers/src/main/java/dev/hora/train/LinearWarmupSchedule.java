package dev.hora.train;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * Linear warmup then linear decay to zero, as {@code transformers.get_linear_schedule_with_warmup}:
 * <pre>
 *   lr(t) = peak * t / W                           0 <= t < W        (warmup; lr(0) = 0 when W > 0)
 *   lr(t) = peak * max(0, (T - t) / (T - W))       W <= t            (decay; lr(T) = 0)
 *
 *   peak |      /\
 *        |     /   \___
 *        |    /        \___
 *      0 +---W-------------T--> iteration t (0-based optimizer step)
 * </pre>
 * With {@code totalSteps = 0} there is no decay: {@code lr(t) = peak} after warmup. The epoch is
 * ignored. Immutable.
 */
public final class LinearWarmupSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;

    @org.nd4j.shade.jackson.annotation.JsonProperty
    private final double peak;
    @org.nd4j.shade.jackson.annotation.JsonProperty
    private final int warmupSteps;
    @org.nd4j.shade.jackson.annotation.JsonProperty
    private final int totalSteps;

    /**
     * @param peak        learning rate at the end of warmup, > 0
     * @param warmupSteps W >= 0
     * @param totalSteps  T > W, or 0 for "no decay"
     */
    @org.nd4j.shade.jackson.annotation.JsonCreator   // DL4J's configuration JSON (ModelSerializer) reads it back
    public LinearWarmupSchedule(@org.nd4j.shade.jackson.annotation.JsonProperty("peak") double peak,
                                @org.nd4j.shade.jackson.annotation.JsonProperty("warmupSteps") int warmupSteps,
                                @org.nd4j.shade.jackson.annotation.JsonProperty("totalSteps") int totalSteps) {
        if (!(peak > 0) || !Double.isFinite(peak)) {
            throw new IllegalArgumentException("learning rate = " + peak + " is out of range: allowed a finite number > 0");
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps = " + warmupSteps + " is out of range: allowed >= 0");
        }
        if (totalSteps != 0 && totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("totalSteps = " + totalSteps + " is out of range: allowed 0 (no decay) or > "
                    + "warmupSteps = " + warmupSteps);
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return peak * iteration / warmupSteps;
        }
        if (totalSteps == 0) {
            return peak;
        }
        return peak * Math.max(0.0, (double) (totalSteps - iteration) / (totalSteps - warmupSteps));
    }

    @Override
    public ISchedule clone() {
        return this;
    }

    public double peak() {
        return peak;
    }

    public int warmupSteps() {
        return warmupSteps;
    }

    public int totalSteps() {
        return totalSteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearWarmupSchedule s && s.peak == peak && s.warmupSteps == warmupSteps
                && s.totalSteps == totalSteps;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(peak, warmupSteps, totalSteps);
    }

    @Override
    public String toString() {
        return "LinearWarmupSchedule{peak=" + peak + ", warmup=" + warmupSteps + ", total=" + totalSteps + "}";
    }
}
