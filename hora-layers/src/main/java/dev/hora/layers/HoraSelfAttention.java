package dev.hora.layers;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head self-attention with frozen pretrained projections and a LoRA / MH-LoRA / HoRA adapter: a
 * drop-in for DL4J's {@code SelfAttentionLayer} with {@code projectInput = true}, plus biases.
 * <pre>
 *   x [b, nIn, T] -> X [b T, nIn]
 *   Q = X (Wq + dWq) + bq,  K = X (Wk + dWk) + bk,  V = X (Wv + dWv) + bv    [b T, H hs] -> [b, H, hs, T]
 *   head_i = V_i softmax_keys(K_i^T Q_i / sqrt(hs))  over unmasked keys       (DL4J's dot_product_attention)
 *   y = concat_i(head_i) (Wo + dWo) + bo                                       [b T, nOut] -> [b, nOut, T]
 *
 *   Wq, Wk, Wv [nIn, H hs]   Wo [H hs, nOut]   bq, bk, bv [1, H hs]   bo [1, nOut]   (dW only on targets)
 * </pre>
 * Head i owns columns {@code [i hs, (i+1) hs)} of Wq, Wk, Wv (as DL4J's {@code Wq [H, hs, nIn]} transposed
 * and flattened) and rows {@code [i hs, (i+1) hs)} of Wo. Mask {@code [b, T]}: masked steps are not
 * attended to (keys); outputs at masked steps are computed as DL4J does (not zeroed). Input and output are
 * recurrent NCW. The adapter splits every target into H heads (target O needs H | nOut).
 */
public class HoraSelfAttention extends AbstractAdaptedLayer {
    private static final long serialVersionUID = 1L;

    private long nIn;
    private long nOut;
    private int nHeads;
    private long headSize;
    private boolean hasBias = true;

    private HoraSelfAttention() {
        // for JSON
    }

    protected HoraSelfAttention(Builder b) {
        super(b);
        check(b.nIn >= 0, "nIn", b.nIn, ">= 1 (or 0 to take it from the input type)");
        check(b.nOut >= 1, "nOut", b.nOut, ">= 1");
        check(b.nHeads >= 1, "nHeads", b.nHeads, ">= 1");
        check(b.headSize >= 0, "headSize", b.headSize, ">= 1 (or 0 for nOut / nHeads)");
        check(b.headSize > 0 || b.nOut % b.nHeads == 0, "nHeads", b.nHeads,
                "a divisor of nOut = " + b.nOut + " (or set headSize)");
        this.nIn = b.nIn;
        this.nOut = b.nOut;
        this.nHeads = b.nHeads;
        this.headSize = b.headSize == 0 ? b.nOut / b.nHeads : b.headSize;
        this.hasBias = b.hasBias;
        if (adapter != null && adapter.adapts(Target.O)) {
            check(nOut % nHeads == 0, "nHeads", nHeads, "a divisor of nOut = " + nOut + " when target O is adapted");
        }
        refreshParams();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected Map<Target, ProjectionShape> projections() {
        check(nIn >= 1, "nIn", nIn, ">= 1 (set it or give the network an input type)");
        long inner = nHeads * headSize;
        Map<Target, ProjectionShape> m = new EnumMap<>(Target.class);
        m.put(Target.Q, new ProjectionShape(nIn, inner, nHeads));
        m.put(Target.K, new ProjectionShape(nIn, inner, nHeads));
        m.put(Target.V, new ProjectionShape(nIn, inner, nHeads));
        m.put(Target.O, new ProjectionShape(inner, nOut, adapter != null && adapter.adapts(Target.O) ? nHeads : 1));
        return m;
    }

    @Override
    protected Map<Target, ProjectionShape> adaptedProjections() {
        Map<Target, ProjectionShape> m = new EnumMap<>(projections());
        m.keySet().removeIf(t -> !adapter.adapts(t));
        return m;
    }

    @Override
    protected boolean sized() {
        return nIn >= 1;
    }

    @Override
    protected String weightName(Target t) {
        return "W" + t.prefix();
    }

    @Override
    protected String biasName(Target t) {
        return hasBias ? "b" + t.prefix() : null;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        Adapter a = createAdapter();
        long inner = nHeads * headSize;
        SDVariable xt = input.permute(0, 2, 1);                                 // [b, T, nIn]
        SDVariable bt = xt.shape().get(SDIndex.interval(0, 2)); // [2] = (b, T)
        SDVariable x = xt.reshape(-1, nIn);                                     // [b T, nIn]
        SDVariable headsShape = sd.concat(0, bt,
                sd.constant(Nd4j.createFromArray(nHeads, headSize).castTo(bt.dataType())));  // (b, T, H, hs)
        SDVariable[] qkv = new SDVariable[3];
        Target[] ts = {Target.Q, Target.K, Target.V};
        for (int i = 0; i < 3; i++) {
            qkv[i] = project(sd, a, p, x, ts[i])                                // [b T, H hs]
                    .reshape(headsShape)                                        // [b, T, H, hs]
                    .permute(0, 2, 3, 1);                                       // [b, H, hs, T]
        }
        SDVariable att = sd.nn.dotProductAttention(qkv[0], qkv[1], qkv[2], mask, true); // [b, H, hs, T]
        SDVariable heads = att.permute(0, 3, 1, 2).reshape(-1, inner);         // [b T, H hs]
        SDVariable y = project(sd, a, p, heads, Target.O);                      // [b T, nOut]
        SDVariable outShape = sd.concat(0, bt,
                sd.constant(Nd4j.createFromArray(nOut).castTo(bt.dataType())));             // (b, T, nOut)
        return y.reshape(outShape).permute(0, 2, 1);                           // [b, nOut, T]
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, RNNFormat.NCW, getLayerName());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN) {
            throw new IllegalArgumentException("input type of HoraSelfAttention '" + getLayerName()
                    + "' = " + inputType + ": allowed recurrent (InputType.recurrent(nIn, T))");
        }
        if (nIn <= 0 || override) {
            nIn = ((InputType.InputTypeRecurrent) inputType).getSize();
            refreshParams();
        }
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN) {
            throw new IllegalArgumentException("input type of HoraSelfAttention (layer " + layerIndex
                    + ") = " + inputType + ": allowed recurrent");
        }
        return InputType.recurrent(nOut, ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength());
    }

    // ---- bean accessors (DL4J JSON) ----
    public long getNIn() { return nIn; }
    public void setNIn(long nIn) { this.nIn = nIn; refreshParams(); }
    public long getNOut() { return nOut; }
    public void setNOut(long nOut) { this.nOut = nOut; refreshParams(); }
    public int getNHeads() { return nHeads; }
    public void setNHeads(int nHeads) { this.nHeads = nHeads; refreshParams(); }
    public long getHeadSize() { return headSize; }
    public void setHeadSize(long headSize) { this.headSize = headSize; refreshParams(); }
    /** True (default): Q, K, V, O have biases (zero after converting a SelfAttentionLayer). */
    public boolean isHasBias() { return hasBias; }
    public void setHasBias(boolean hasBias) { this.hasBias = hasBias; refreshParams(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof HoraSelfAttention l && super.equals(o) && nIn == l.nIn && nOut == l.nOut
                && nHeads == l.nHeads && headSize == l.headSize && hasBias == l.hasBias;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nIn, nOut, nHeads, headSize, hasBias);
    }

    @Override
    public String toString() {
        return "HoraSelfAttention(nIn=" + nIn + ", nOut=" + nOut + ", nHeads=" + nHeads + ", headSize=" + headSize
                + ", bias=" + hasBias + ", freezeBase=" + freezeBase + ", adapter=" + adapter + ")";
    }

    /** Builder in DL4J's style: {@code HoraSelfAttention.builder().nIn(16).nOut(16).nHeads(4).adapter(cfg).build()}. */
    public static class Builder extends AbstractAdaptedLayer.Builder<Builder> {
        private long nIn;
        private long nOut;
        private int nHeads = 1;
        private long headSize;
        private boolean hasBias = true;

        /** Input width (0: from the input type). */
        public Builder nIn(long v) { nIn = v; return this; }
        /** Output width. */
        public Builder nOut(long v) { nOut = v; return this; }
        /** Number of heads H (default 1). */
        public Builder nHeads(int v) { nHeads = v; return this; }
        /** Head width hs (default nOut / nHeads). */
        public Builder headSize(long v) { headSize = v; return this; }
        /** Biases on Q, K, V, O (default true). */
        public Builder hasBias(boolean v) { hasBias = v; return this; }

        @Override
        @SuppressWarnings("unchecked")
        public HoraSelfAttention build() {
            return new HoraSelfAttention(this);
        }
    }
}
