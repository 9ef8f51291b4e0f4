package dev.hora.layers;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense layer with a frozen pretrained weight and a LoRA / MH-LoRA / HoRA adapter, for feed-forward
 * blocks; the same parameter layout as DL4J's {@code DenseLayer} (W [nIn, nOut], b [1, nOut]).
 * <pre>
 *   y = act(x (W + dW) + b)          x [b, nIn] -> y [b, nOut]
 *                                    x [b, nIn, T] -> [b T, nIn] -> [b T, nOut] -> y [b, nOut, T]
 *   dW = s [A_1 B_1 | ... | A_G B_G] G = heads groups of nOut / heads columns (LoRA: one group)
 * </pre>
 * The adapter sees one projection, registered under {@code target} (default FFN_IN; FFN_OUT for a
 * down-projection), so its parameters are named like that target's ({@code iA}, {@code iB}, HoRA's
 * {@code iZ}, ...); the targets listed in the adapter config are replaced by {@code target}. Recurrent input is handled natively (no preprocessor), masks pass through.
 */
public class AdaptedDense extends AbstractAdaptedLayer {
    private static final long serialVersionUID = 1L;

    private long nIn;
    private long nOut;
    private int heads = 1;
    private Target target = Target.FFN_IN;
    private Activation activation = Activation.IDENTITY;
    private boolean hasBias = true;

    private AdaptedDense() {
        // for JSON
    }

    protected AdaptedDense(Builder b) {
        super(b);
        check(b.nIn >= 0, "nIn", b.nIn, ">= 1 (or 0 to take it from the input type)");
        check(b.nOut >= 1, "nOut", b.nOut, ">= 1");
        check(b.heads >= 1 && b.nOut % b.heads == 0, "heads", b.heads, "a divisor of nOut = " + b.nOut);
        this.nIn = b.nIn;
        this.nOut = b.nOut;
        this.heads = b.heads;
        this.target = Objects.requireNonNull(b.target, "target must be set");
        this.activation = Objects.requireNonNull(b.activation, "activation must be set");
        this.hasBias = b.hasBias;
        if (adapter != null) {
            adapter = adapter.toBuilder().targets(target).build();
        }
        refreshParams();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Map<Target, ProjectionShape> projections() {
        check(nIn >= 1, "nIn", nIn, ">= 1 (set it or give the network an input type)");
        Map<Target, ProjectionShape> m = new EnumMap<>(Target.class);
        m.put(target, new ProjectionShape(nIn, nOut, heads));
        return m;
    }

    @Override
    protected Map<Target, ProjectionShape> adaptedProjections() {
        return projections();
    }

    @Override
    protected boolean sized() {
        return nIn >= 1;
    }

    @Override
    protected String weightName(Target t) {
        return "W";
    }

    @Override
    protected String biasName(Target t) {
        return hasBias ? "b" : null;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        Adapter a = createAdapter();
        if (input.getShape() != null && input.getShape().length == 2) {
            return activation.asSameDiff(sd, project(sd, a, p, input, target));  // [b, nOut]
        }
        SDVariable xt = input.permute(0, 2, 1);                                 // [b, T, nIn]
        SDVariable bt = xt.shape().get(SDIndex.interval(0, 2));                 // (b, T)
        SDVariable y = project(sd, a, p, xt.reshape(-1, nIn), target);          // [b T, nOut]
        SDVariable shape = sd.concat(0, bt, sd.constant(Nd4j.createFromArray(nOut).castTo(bt.dataType())));
        return activation.asSameDiff(sd, y.reshape(shape).permute(0, 2, 1));    // [b, nOut, T]
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nIn <= 0 || override) {
            nIn = switch (inputType.getType()) {
                case FF -> ((InputType.InputTypeFeedForward) inputType).getSize();
                case RNN -> ((InputType.InputTypeRecurrent) inputType).getSize();
                default -> throw new IllegalArgumentException("input type of AdaptedDense '" + getLayerName()
                        + "' = " + inputType + ": allowed feed-forward or recurrent");
            };
            refreshParams();
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return switch (inputType.getType()) {
            case FF -> InputType.feedForward(nOut);
            case RNN -> InputType.recurrent(nOut, ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength());
            default -> throw new IllegalArgumentException("input type of AdaptedDense (layer " + layerIndex
                    + ") = " + inputType + ": allowed feed-forward or recurrent");
        };
    }

    // ---- bean accessors (DL4J JSON) ----
    public long getNIn() { return nIn; }
    public void setNIn(long nIn) { this.nIn = nIn; refreshParams(); }
    public long getNOut() { return nOut; }
    public void setNOut(long nOut) { this.nOut = nOut; refreshParams(); }
    /** Adapter groups (MH-LoRA / HoRA heads) over the output columns. */
    public int getHeads() { return heads; }
    public void setHeads(int heads) { this.heads = heads; refreshParams(); }
    /** The name the adapter registers its projection under (default FFN_IN). */
    public Target getTarget() { return target; }
    public void setTarget(Target target) { this.target = target; refreshParams(); }
    public Activation getActivation() { return activation; }
    public void setActivation(Activation activation) { this.activation = activation; }
    public boolean isHasBias() { return hasBias; }
    public void setHasBias(boolean hasBias) { this.hasBias = hasBias; refreshParams(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdaptedDense l && super.equals(o) && nIn == l.nIn && nOut == l.nOut && heads == l.heads
                && target == l.target && activation == l.activation && hasBias == l.hasBias;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nIn, nOut, heads, target, activation, hasBias);
    }

    @Override
    public String toString() {
        return "AdaptedDense(nIn=" + nIn + ", nOut=" + nOut + ", heads=" + heads + ", target=" + target
                + ", activation=" + activation + ", bias=" + hasBias + ", freezeBase=" + freezeBase
                + ", adapter=" + adapter + ")";
    }

    /** Builder: {@code AdaptedDense.builder().nIn(16).nOut(32).heads(4).activation(Activation.GELU).adapter(cfg).build()}. */
    public static class Builder extends AbstractAdaptedLayer.Builder<Builder> {
        private long nIn;
        private long nOut;
        private int heads = 1;
        private Target target = Target.FFN_IN;
        private Activation activation = Activation.IDENTITY;
        private boolean hasBias = true;

        public Builder nIn(long v) { nIn = v; return this; }
        public Builder nOut(long v) { nOut = v; return this; }
        /** Adapter groups (default 1); must divide nOut. */
        public Builder heads(int v) { heads = v; return this; }
        public Builder target(Target v) { target = v; return this; }
        public Builder activation(Activation v) { activation = v; return this; }
        public Builder hasBias(boolean v) { hasBias = v; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public AdaptedDense build() {
            return new AdaptedDense(this);
        }
    }
}
