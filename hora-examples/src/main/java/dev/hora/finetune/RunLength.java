package dev.hora.finetune;

/**
 * How long a run trains, computed in {@code long} so that no option value overflows an {@code int}
 * (a {@code --batch-size} of 2^31 - 1 once made the steps per epoch 0 and the run end in "/ by zero").
 *
 * @param stepsPerEpoch optimizer steps of one pass over the training data (at least 1)
 * @param total         optimizer steps of the run
 * @param epochs        passes over the data the run starts (the last one may stop early)
 */
record RunLength(int stepsPerEpoch, int total, int epochs) {
    /**
     * @param examples training examples (at least 1); @param steps {@code --steps} (0: {@code epochs} epochs)
     * @throws IllegalArgumentException naming the options when the run would exceed 2^31 - 1 steps
     */
    static RunLength of(int examples, int batchSize, int epochs, int steps) {
        if (examples < 1 || batchSize < 1) {
            throw new IllegalArgumentException("need at least one training example and --batch-size >= 1, got "
                    + examples + " and " + batchSize);
        }
        long per = (examples + (long) batchSize - 1) / batchSize;
        long total = steps > 0 ? steps : per * epochs;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--epochs " + epochs + " x " + per + " steps per epoch (" + examples
                    + " examples, --batch-size " + batchSize + ") = " + total + " optimizer steps, more than "
                    + Integer.MAX_VALUE + "; use fewer --epochs or --steps N");
        }
        return new RunLength((int) per, (int) total, (int) ((total + per - 1) / per));
    }
}
