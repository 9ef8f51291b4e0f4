package dev.hora.data;

/** A train/test pair sharing one label set. */
public record Split(TextDataset train, TextDataset test) {
    public Split {
        if (!train.labelNames().equals(test.labelNames())) {
            throw new IllegalArgumentException("train labels " + train.labelNames()
                    + " differ from test labels " + test.labelNames());
        }
    }
}
