package dev.hora.compare;

import dev.hora.config.AdapterKind;
import dev.hora.config.AdapterOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One adapter variant of a sweep, as written in {@code --adapters}: a kind and optional
 * {@link AdapterOptions} {@code KEY=VALUE} settings, separated by colons.
 * <pre>
 *   none | lora | mh-lora | hora | hora:hidden-width=32 | hora:shared-pair=true:generator-lr=3 | lora:rank=16
 * </pre>
 *
 * @param label   the text as given (lower case), used in runs.jsonl, summary.md and the chart
 * @param kind    the adapter kind; null for {@code none} (a linear probe: only the head trains)
 * @param options its settings (empty = the defaults)
 */
public record Variant(String label, AdapterKind kind, Map<String, String> options) {
    /** The linear probe's name in {@code --adapters} and in runs.jsonl. */
    public static final String NONE = "none";

    public Variant {
        options = Map.copyOf(options);
    }

    /** Parses one variant; unknown kinds, keys or values are errors naming them. */
    public static Variant parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        String[] parts = t.split(":");
        AdapterKind kind;
        try {
            kind = parts[0].equals(NONE) ? null : AdapterKind.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--adapters: variant '" + text.trim() + "': unknown adapter '" + parts[0]
                    + "', allowed: " + NONE + " or " + java.util.Arrays.stream(AdapterKind.values())
                    .map(AdapterKind::cliName).toList());
        }
        List<String> items = Arrays.asList(parts).subList(1, parts.length);
        Map<String, String> opts;
        try {
            opts = AdapterOptions.parse(items);
            AdapterOptions.check(opts);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--adapters: variant '" + text.trim() + "': " + e.getMessage());
        }
        if (kind == null && !opts.isEmpty()) {
            throw new IllegalArgumentException("--adapters: variant '" + text.trim() + "': 'none' (head only) takes no "
                    + "options");
        }
        return new Variant(t, kind, opts);
    }

    /** Parses a comma list; at least one variant, no duplicates. */
    public static List<Variant> parseList(String list) {
        List<Variant> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String item : list.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            Variant v = parse(item);
            if (!seen.add(v.label())) {
                throw new IllegalArgumentException("--adapters: variant '" + v.label() + "' given twice");
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--adapters is empty; e.g. --adapters none,lora,mh-lora,hora");
        }
        return out;
    }

    /** The kind's command-line name; {@code none} for the linear probe. */
    public String kindName() {
        return kind == null ? NONE : kind.cliName();
    }

    /** The rank this variant fixes itself ({@code rank=R}), or null. */
    public Integer rank() {
        return options.containsKey("rank") ? Integer.valueOf(options.get("rank")) : null;
    }
}
