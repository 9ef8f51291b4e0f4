package dev.hora.backbone;

import dev.hora.adapter.ProjectionShape;
import dev.hora.config.Target;

/**
 * One adaptable projection of a {@link Backbone}: {@code y = x W + b}, W [dIn, dOut], whose output
 * columns split into {@code groups} column groups (the attention heads; the feed-forward projections
 * use the same count), at the family's module path (Hugging Face naming, e.g.
 * {@code encoder.layer.3.attention.self.query} for BERT).
 *
 * @param layer      0-based layer index
 * @param role       what the projection does in the layer (Q, K, V, O, FFN_IN, FFN_OUT)
 * @param modulePath the family's module path (PEFT's target-module naming)
 */
public record Site(int layer, Target role, String modulePath, int dIn, int dOut, int groups) {

    /** The shape an adapter at this site is built for. */
    public ProjectionShape shape() {
        return new ProjectionShape(dIn, dOut, groups);
    }

    /**
     * True when an adapter built for {@code shape} applies here: the same widths, and the same head count
     * unless the adapter does not split into heads (LoRA's shape may say 1).
     */
    public boolean fits(ProjectionShape shape) {
        return shape.dIn() == dIn && shape.dOut() == dOut && (shape.heads() == 1 || shape.heads() == groups);
    }

    /** The weight tensor's name: {@code <modulePath>.weight}. */
    public String weightName() {
        return modulePath + ".weight";
    }
}
