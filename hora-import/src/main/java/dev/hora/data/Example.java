package dev.hora.data;

/**
 * One labelled sentence.
 *
 * @param text  the raw text, never null
 * @param label class index in {@code [0, labelNames.size())} of its {@link TextDataset}
 */
public record Example(String text, int label) {
    public Example {
        if (text == null) {
            throw new IllegalArgumentException("text is null");
        }
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
    }
}
