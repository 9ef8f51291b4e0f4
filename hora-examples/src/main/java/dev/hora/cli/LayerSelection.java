package dev.hora.cli;

import java.util.List;
import java.util.TreeSet;

/**
 * Parses {@code --layers}: {@code all}, a range {@code 0-5}, a list {@code 3,4,5} or a mix
 * {@code 0-2,5}. Result: sorted distinct layer indices, or {@code null} for all layers.
 * Whether the indices exist is checked against the model when it is loaded.
 */
public final class LayerSelection {
    /** Sanity bound on layer indices. */
    public static final int MAX_LAYER = 1023;

    private LayerSelection() {
    }

    /** The selected layers in ascending order, or {@code null} for {@code all}. */
    public static List<Integer> parse(String spec) {
        String s = spec.trim();
        if (s.equalsIgnoreCase("all")) {
            return null;
        }
        TreeSet<Integer> out = new TreeSet<>();
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int dash = p.indexOf('-', 1);
            int from = index(p, dash < 0 ? p : p.substring(0, dash));
            int to = dash < 0 ? from : index(p, p.substring(dash + 1));
            if (to < from) {
                throw new IllegalArgumentException("empty layer range '" + p + "' in --layers");
            }
            for (int i = from; i <= to; i++) {
                if (!out.add(i)) {
                    throw new IllegalArgumentException("layer " + i + " selected twice in --layers '" + spec + "'");
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--layers selects no layer; e.g. --layers 0-5 or --layers all");
        }
        return List.copyOf(out);
    }

    private static int index(String part, String s) {
        try {
            int v = Integer.parseInt(s.trim());
            if (v < 0 || v > MAX_LAYER) {
                throw new IllegalArgumentException("layer index " + v + " out of range in --layers '" + part + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid layer '" + part + "' in --layers; use e.g. 0-5, 3,4,5 or all");
        }
    }
}
