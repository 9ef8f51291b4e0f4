package dev.hora.data;

/**
 * A train/test pair sharing one label set, with an optional validation set carved out of the
 * training data ({@link StratifiedSplitter#withValidation}); {@code validation == null} means none.
 */
public record Split(TextDataset train, TextDataset validation, TextDataset test) {
    public Split {
        for (TextDataset d : validation == null ? new TextDataset[]{test} : new TextDataset[]{validation, test}) {
            if (!train.labelNames().equals(d.labelNames())) {
                throw new IllegalArgumentException("train labels " + train.labelNames()
                        + " differ from " + d.name() + " labels " + d.labelNames());
            }
        }
    }

    /** A split without validation data. */
    public Split(TextDataset train, TextDataset test) {
        this(train, null, test);
    }
}
