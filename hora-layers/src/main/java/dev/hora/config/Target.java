package dev.hora.config;

import java.util.Locale;

/**
 * A projection that can carry an adapter. The attention projections Q, K, V map
 * {@code [*, d_model] -> [*, H d_h]} and O maps {@code [*, H d_h] -> [*, d_model]}; head i owns
 * output columns {@code [i d_h, (i+1) d_h)}. The feed-forward projections FFN_IN
 * {@code [*, d] -> [*, d_ff]} and FFN_OUT {@code [*, d_ff] -> [*, d]} are split into the same
 * number of column groups as the layer has heads (MH-LoRA / HoRA), or adapted whole (LoRA).
 * One vocabulary for the library, the importer, the command line and the file formats: the
 * command-line / settings name ({@link #moduleName()}), the parameter prefix ({@link #prefix()})
 * and the Hugging Face module path ({@link #hfPath()}).
 * <pre>
 *   x ─┬─ Q ─┐
 *      ├─ K ─┼─ softmax(Q K^T / sqrt(d_h) + mask) V ── O ─(+x, LN)─ h
 *      └─ V ─┘
 *   h ── FFN_IN [d -> d_ff] ── GELU ── FFN_OUT [d_ff -> d] ─(+h, LN)─ x'
 * </pre>
 */
public enum Target {
    Q("query", "q", "attention.self.query"),
    K("key", "k", "attention.self.key"),
    V("value", "v", "attention.self.value"),
    O("output", "o", "attention.output.dense"),
    FFN_IN("intermediate", "i", "intermediate.dense"),
    FFN_OUT("ffn-output", "f", "output.dense");

    private final String moduleName;
    private final String prefix;
    private final String hfPath;

    Target(String moduleName, String prefix, String hfPath) {
        this.moduleName = moduleName;
        this.prefix = prefix;
        this.hfPath = hfPath;
    }

    /**
     * The Hugging Face module path inside a BERT layer ({@code encoder.layer.{i}.<path>}), as the
     * importer, PEFT's adapter files and the weight names use it: attention.self.query|key|value,
     * attention.output.dense, intermediate.dense, output.dense.
     */
    public String hfPath() {
        return hfPath;
    }

    /** The module name ("query", "key", "value", "output" = attention output, "intermediate", "ffn-output"). */
    public String moduleName() {
        return moduleName;
    }

    /** Lower-case one-letter prefix used in parameter names ("q", "k", "v", "o", "i", "f"). */
    public String prefix() {
        return prefix;
    }

    /** True for Q, K, V and O, the projections of a self-attention block. */
    public boolean isAttention() {
        return ordinal() <= O.ordinal();
    }

    /**
     * Parses q|query, k|key, v|value, o|output|attention-output, i|intermediate|ffn-in,
     * f|ffn-output|ffn-out (case-insensitive, '_' = '-').
     */
    public static Target parse(String s) {
        String n = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (n) {
            case "attention-output":
            case "attention.output":
                return O;
            case "ffn-in":
                return FFN_IN;
            case "ffn-out":
                return FFN_OUT;
            default:
                break;
        }
        for (Target t : values()) {
            if (t.prefix.equals(n) || t.moduleName.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("targets: unknown target '" + s + "', allowed: q|query, k|key, v|value, "
                + "o|output (attention output), i|intermediate (ffn-in), f|ffn-output (ffn-out)");
    }
}
