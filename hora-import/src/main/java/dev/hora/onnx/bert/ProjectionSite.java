package dev.hora.onnx.bert;

/**
 * Where a projection sits: layer, module kind, the HF name of its weight and its widths.
 *
 * @param layer      encoder layer index, 0-based
 * @param kind       which of the six projections
 * @param weightName HF name of W, e.g. {@code encoder.layer.0.attention.self.query.weight}
 * @param dIn        input width (rows of W)
 * @param dOut       output width (columns of W)
 * @param heads      attention heads H of the layer; for Q, K and V head i owns output columns
 *                   [i d_h, (i+1) d_h), d_h = dOut / H
 */
public record ProjectionSite(int layer, ModuleKind kind, String weightName, int dIn, int dOut, int heads) {
    /** HF name of the bias, e.g. {@code encoder.layer.0.attention.self.query.bias}. */
    public String biasName() {
        return kind.biasName(layer);
    }

    /** A name prefix for variables a hook adds, e.g. {@code encoder.layer.0.attention.self.query}. */
    public String modulePath() {
        return BertWeightNames.layer(layer, kind.path());
    }
}
