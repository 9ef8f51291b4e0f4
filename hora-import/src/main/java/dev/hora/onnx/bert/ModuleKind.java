package dev.hora.onnx.bert;

/**
 * The six dense projections of a BERT layer, with their HF module paths.
 *
 * <pre>
 *   x ─┬─ QUERY ─┐
 *      ├─ KEY ───┼─ softmax(Q K^T / sqrt(d_h) + mask) V ── ATTENTION_OUTPUT ─(+x, LN)─ h
 *      └─ VALUE ─┘
 *   h ── INTERMEDIATE [d -> d_ff] ── GELU ── OUTPUT [d_ff -> d] ─(+h, LN)─ x'
 * </pre>
 */
public enum ModuleKind {
    QUERY("attention.self.query"),
    KEY("attention.self.key"),
    VALUE("attention.self.value"),
    ATTENTION_OUTPUT("attention.output.dense"),
    INTERMEDIATE("intermediate.dense"),
    OUTPUT("output.dense");

    private final String path;

    ModuleKind(String path) {
        this.path = path;
    }

    /** Module path inside a layer, e.g. {@code attention.self.query}. */
    public String path() {
        return path;
    }

    /** {@code encoder.layer.<layer>.<path>.weight}, [d_in, d_out]. */
    public String weightName(int layer) {
        return BertWeightNames.layer(layer, path + ".weight");
    }

    /** {@code encoder.layer.<layer>.<path>.bias}, [d_out]. */
    public String biasName(int layer) {
        return BertWeightNames.layer(layer, path + ".bias");
    }
}
