package dev.hora.data;

import java.util.List;

/**
 * A labelled text classification dataset: examples plus the names of the classes.
 *
 * @param name       where it came from (built-in name or file), for messages and reports
 * @param examples   the examples, in a fixed order
 * @param labelNames class names; {@code labelNames.get(e.label())} names the class of {@code e}
 */
public record TextDataset(String name, List<Example> examples, List<String> labelNames) {
    public TextDataset {
        examples = List.copyOf(examples);
        labelNames = List.copyOf(labelNames);
        for (Example e : examples) {
            if (e.label() >= labelNames.size()) {
                throw new IllegalArgumentException(name + ": label " + e.label() + " out of range for "
                        + labelNames.size() + " classes");
            }
        }
    }

    /** Number of examples. */
    public int size() {
        return examples.size();
    }

    /** Number of classes. */
    public int numClasses() {
        return labelNames.size();
    }

    /** Count of examples per class, indexed by label. */
    public int[] classCounts() {
        int[] c = new int[labelNames.size()];
        for (Example e : examples) {
            c[e.label()]++;
        }
        return c;
    }

    /** The texts in order. */
    public List<String> texts() {
        return examples.stream().map(Example::text).toList();
    }

    /** The labels in order. */
    public int[] labels() {
        return examples.stream().mapToInt(Example::label).toArray();
    }
}
