package dev.hora.fit;

import java.util.Locale;

/**
 * Stops a run whose training has diverged, before the diverged state reaches a checkpoint (so
 * the last good checkpoint stays the one {@code --resume} finds).
 * <pre>
 *   stop if  loss or gradient norm is NaN or infinite
 *   stop if  loss > FACTOR * max(first loss, ln C)       (cross-entropy starts near ln C)
 *   stop if  gradient norm > MAX_GRAD_NORM                (before clipping)
 * </pre>
 * The bounds are far above anything a converging run shows (its loss falls from about ln C, its
 * clipped-at-1 gradient norms stay within a few orders of magnitude of 1).
 */
final class DivergenceGuard {
    static final double FACTOR = 30;
    static final double MAX_GRAD_NORM = 1e6;

    private final double floor;
    private double reference = Double.NaN;

    /** @param numClasses C, for the ln C floor of the reference loss */
    DivergenceGuard(int numClasses) {
        this.floor = Math.log(Math.max(2, numClasses));
    }

    /**
     * Checks one step's loss and (pre-clipping) global gradient norm; NaN norms before a first step are ignored.
     *
     * @param step 1-based optimizer step just taken
     * @throws TrainingDivergedException naming the step, the value and the bound
     */
    void check(long step, double loss, double gradNorm, double lr) {
        String at = String.format(Locale.ROOT, "step %d (learning rate %.3g)", step, lr);
        if (!Double.isFinite(loss)) {
            throw new TrainingDivergedException("training diverged at " + at + ": the loss is " + loss);
        }
        if (Double.isInfinite(gradNorm) || Double.isNaN(gradNorm) && step > 0) {
            throw new TrainingDivergedException("training diverged at " + at + ": the gradient norm is " + gradNorm);
        }
        if (Double.isNaN(reference)) {
            reference = Math.max(loss, floor);
        }
        if (loss > FACTOR * reference) {
            throw new TrainingDivergedException(String.format(Locale.ROOT, "training diverged at %s: the loss %.4g "
                    + "exceeds %.0f x the initial %.4g; try a smaller --lr", at, loss, FACTOR, reference));
        }
        if (gradNorm > MAX_GRAD_NORM) {
            throw new TrainingDivergedException(String.format(Locale.ROOT, "training diverged at %s: the gradient "
                    + "norm %.4g exceeds %.0g; try a smaller --lr", at, gradNorm, MAX_GRAD_NORM));
        }
    }
}
