package dev.hora.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Maps raw label strings to class indices.
 *
 * <p>Detection: if every label is an integer, classes are the distinct integers in numeric order
 * (so labels {@code 0..K-1} keep their value as index); otherwise the distinct strings in
 * lexicographic order ({@code negative < positive}). A fixed set (e.g. the training file's) can be
 * given instead, so a test file is mapped exactly like its training file.
 */
public final class LabelSet {
    private final List<String> names;
    private final boolean numeric;

    private LabelSet(List<String> names, boolean numeric) {
        this.names = List.copyOf(names);
        this.numeric = numeric;
    }

    /** Detects the label set of the given raw labels. */
    public static LabelSet detect(Collection<String> rawLabels) {
        Set<String> distinct = new LinkedHashSet<>();
        boolean allInts = true;
        for (String raw : rawLabels) {
            String s = raw.trim();
            Long v = parseInt(s);
            allInts &= v != null;
            distinct.add(s);
        }
        List<String> names = new ArrayList<>();
        if (allInts) {
            distinct.stream().map(LabelSet::parseInt).distinct().sorted()
                    .forEach(v -> names.add(Long.toString(v)));
        } else {
            distinct.stream().sorted().forEach(names::add);
        }
        return new LabelSet(names, allInts);
    }

    /** A fixed label set; raw labels must equal one of the names (integers compare by value). */
    public static LabelSet fixed(List<String> names) {
        boolean numeric = names.stream().allMatch(n -> parseInt(n) != null);
        return new LabelSet(names, numeric);
    }

    /** Class names in index order. */
    public List<String> names() {
        return names;
    }

    /** The class index of a raw label, or -1 if it is not in the set. */
    public int index(String raw) {
        String s = raw.trim();
        if (numeric) {
            Long v = parseInt(s);
            return v == null ? -1 : names.indexOf(Long.toString(v));
        }
        return names.indexOf(s);
    }

    private static Long parseInt(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
