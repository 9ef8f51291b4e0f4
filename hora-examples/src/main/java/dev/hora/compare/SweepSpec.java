package dev.hora.compare;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything that defines a sweep of {@code hora compare} (written to {@code OUTPUT/sweep.json};
 * a resumed sweep must have the same). Every cell is one {@code hora finetune} run:
 * <pre>
 *   fixed:    test split (splitSeed), model, targets, layers, batch size, max length, step budget
 *   per cell: variant x fraction x seed (1..seeds, or 1..seedsAt[f] where given, e.g. fewer
 *             at fraction 1, the costliest cells); seed -> stratified subsample of the training split,
 *             the validation split carved out of it, the initialisation and the batch order
 *   lr:       per variant, the grid value with the best validation accuracy at (lrFraction, lrSeed)
 * </pre>
 *
 * @param steps     optimizer steps of every cell (the equal budget)
 * @param evalEvery validate every N steps (and after every epoch)
 * @param rank      rank of variants that set none (and are not matched)
 */
public record SweepSpec(List<String> variants, List<Double> fractions, int seeds, Map<Double, Integer> seedsAt,
                        int steps, int evalEvery,
                        List<Double> lrGrid, double lrFraction, long lrSeed, boolean matchParams, double valFraction,
                        int rank, List<String> targets, List<Integer> layers, int batchSize, int maxLength,
                        long splitSeed, String model, String tokenizer, String data, String train, String test,
                        double testFraction) {

    /** Checks everything that can be checked before any data or model is loaded. */
    public SweepSpec {
        variants = List.copyOf(variants);
        fractions = List.copyOf(fractions);
        lrGrid = List.copyOf(lrGrid);
        targets = List.copyOf(targets);
        seedsAt = new TreeMap<>(seedsAt);
        if (seeds < 2 || seedsAt.values().stream().anyMatch(n -> n < 2)) {
            throw new IllegalArgumentException("--seeds and --seeds-at must be >= 2 (an interval needs two values), got "
                    + seeds + ", " + seedsAt);
        }
        if (fractions.isEmpty()) {
            throw new IllegalArgumentException("--fractions is empty; e.g. --fractions 0.05,0.1,0.25,1");
        }
        for (double f : fractions) {
            if (!(f > 0 && f <= 1)) {
                throw new IllegalArgumentException("--fractions: " + f + " is outside (0, 1]");
            }
        }
        if (fractions.stream().distinct().count() != fractions.size()) {
            throw new IllegalArgumentException("--fractions: a fraction is given twice: " + fractions);
        }
        if (!fractions.contains(lrFraction)) {
            throw new IllegalArgumentException("--lr-fraction " + lrFraction + " is not one of --fractions " + fractions);
        }
        if (!fractions.containsAll(seedsAt.keySet())) {
            throw new IllegalArgumentException("--seeds-at " + seedsAt + " names a fraction not in --fractions " + fractions);
        }
        int lrSeeds = seedsAt.getOrDefault(lrFraction, seeds);   // fields are assigned after this body
        if (lrSeed < 1 || lrSeed > lrSeeds) {
            throw new IllegalArgumentException("--lr-seed must be one of the seeds 1.." + lrSeeds
                    + " of --lr-fraction " + lrFraction + ", got " + lrSeed);
        }
        if (lrGrid.isEmpty() || lrGrid.stream().anyMatch(v -> !(v > 0 && Double.isFinite(v)))) {
            throw new IllegalArgumentException("--lr-grid needs learning rates > 0, got " + lrGrid);
        }
        if (steps < 1 || evalEvery < 1) {
            throw new IllegalArgumentException("--steps and --eval-every must be >= 1, got " + steps + ", " + evalEvery);
        }
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be in (0, 1) (choices are made on validation), got "
                    + valFraction);
        }
        if (batchSize < 1 || rank < 1) {
            throw new IllegalArgumentException("--batch-size and --rank must be >= 1, got " + batchSize + ", " + rank);
        }
    }

    /** The number of seeds at fraction {@code f}: seedsAt[f] where given, else seeds. */
    public int seeds(double f) {
        return seedsAt.getOrDefault(f, seeds);
    }
}
