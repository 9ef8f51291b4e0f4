package dev.hora.onnx.bert;

import dev.hora.config.Target;

/**
 * Where a projection sits: layer, target (which of the six projections), the HF name of its weight
 * and its widths.
 *
 * @param layer      encoder layer index, 0-based
 * @param target     which of the six projections
 * @param weightName HF name of W, e.g. {@code encoder.layer.0.attention.self.query.weight}
 * @param dIn        input width (rows of W)
 * @param dOut       output width (columns of W)
 * @param heads      attention heads H of the layer; for Q, K and V head i owns output columns
 *                   [i d_h, (i+1) d_h), d_h = dOut / H
 */
public record ProjectionSite(int layer, Target target, String weightName, int dIn, int dOut, int heads) {
    /** HF name of the bias, e.g. {@code encoder.layer.0.attention.self.query.bias}. */
    public String biasName() {
        return BertWeightNames.bias(layer, target);
    }

    /** A name prefix for variables a hook adds, e.g. {@code encoder.layer.0.attention.self.query}. */
    public String modulePath() {
        return BertWeightNames.layer(layer, target.hfPath());
    }
}
