package dev.hora.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses {@code --targets}: a comma list of attention projections to adapt, {@code query, key,
 * value, output} (aliases {@code q, k, v, o}). Result: canonical names in Q, K, V, O order.
 */
public final class Targets {
    /** Canonical names in order. */
    public static final List<String> ALL = List.of("query", "key", "value", "output");
    private static final Map<String, String> ALIASES = Map.of("q", "query", "k", "key", "v", "value", "o", "output",
            "out", "output", "attention.output", "output");

    private Targets() {
    }

    /** Parses and normalises the list; rejects unknown, duplicate or no targets. */
    public static List<String> parse(String spec) {
        List<String> seen = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String t = raw.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            String c = ALIASES.getOrDefault(t, t);
            if (!ALL.contains(c)) {
                throw new IllegalArgumentException("unknown target '" + raw.trim() + "' in --targets; choose from "
                        + ALL + " (or q,k,v,o)");
            }
            if (seen.contains(c)) {
                throw new IllegalArgumentException("target '" + c + "' given twice in --targets");
            }
            seen.add(c);
        }
        if (seen.isEmpty()) {
            throw new IllegalArgumentException("--targets is empty; e.g. --targets query,value");
        }
        return ALL.stream().filter(seen::contains).toList();
    }
}
