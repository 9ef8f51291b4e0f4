package dev.hora.config;

import java.util.Locale;

/**
 * An attention projection that can carry an adapter: query, key, value or the attention output.
 * Q, K, V map {@code [*, d_model] -> [*, H d_h]}; O maps {@code [*, H d_h] -> [*, d_model]}.
 * Head i owns output columns {@code [i d_h, (i+1) d_h)} of every target.
 */
public enum Target {
    Q("query"),
    K("key"),
    V("value"),
    O("output");

    private final String moduleName;

    Target(String moduleName) {
        this.moduleName = moduleName;
    }

    /** The module name as in Hugging Face BERT ("query", "key", "value", "output"). */
    public String moduleName() {
        return moduleName;
    }

    /** Lower-case one-letter prefix used in parameter names ("q", "k", "v", "o"). */
    public String prefix() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "q"/"query", "k"/"key", "v"/"value", "o"/"output" (case-insensitive). */
    public static Target parse(String s) {
        String n = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (Target t : values()) {
            if (t.prefix().equals(n) || t.moduleName.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("targets: unknown target '" + s
                + "', allowed: q|query, k|key, v|value, o|output");
    }
}
