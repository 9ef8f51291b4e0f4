package dev.hora.onnx;

import java.util.Objects;

/**
 * Shape and constants of a BERT-family encoder, as read from an ONNX file (never assumed).
 *
 * <pre>
 *   input_ids [b, s] ──gather(word [vocabSize, hidden])──┐
 *   token_type_ids ───gather(type [typeVocabSize, hidden])┼─ + ── LayerNorm(eps) ── x0 [b, s, hidden]
 *   positions 0..s-1 ─gather(pos  [maxPositions, hidden])─┘
 *   x_l+1 = LN(h + FFN(h)),  h = LN(x_l + MHA(x_l))          for l = 0 .. numLayers-1
 *   MHA: numHeads heads of width headDim = hidden / numHeads, scores / sqrt(headDim)
 *        + (1 - attention_mask) * maskValue
 *   FFN: [hidden] -> [intermediateSize] -> GELU(erf) -> [hidden]
 * </pre>
 *
 * Build one with {@link #builder()}; {@link BertOnnx} fills it from the graph.
 */
public final class BertConfig {
    private final int numLayers;
    private final int hiddenSize;
    private final int numHeads;
    private final int intermediateSize;
    private final int vocabSize;
    private final int maxPositions;
    private final int typeVocabSize;
    private final double layerNormEps;
    private final float maskValue;

    private BertConfig(Builder b) {
        this.numLayers = b.numLayers;
        this.hiddenSize = b.hiddenSize;
        this.numHeads = b.numHeads;
        this.intermediateSize = b.intermediateSize;
        this.vocabSize = b.vocabSize;
        this.maxPositions = b.maxPositions;
        this.typeVocabSize = b.typeVocabSize;
        this.layerNormEps = b.layerNormEps;
        this.maskValue = b.maskValue;
        check(numLayers > 0, "numLayers must be > 0");
        check(hiddenSize > 0 && numHeads > 0 && hiddenSize % numHeads == 0,
                "hiddenSize " + hiddenSize + " must be a positive multiple of numHeads " + numHeads);
        check(intermediateSize > 0 && vocabSize > 0 && maxPositions > 0 && typeVocabSize > 0,
                "intermediateSize, vocabSize, maxPositions and typeVocabSize must be > 0");
        check(layerNormEps > 0, "layerNormEps must be > 0");
        check(maskValue < 0, "maskValue must be negative");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder preset with this config's values. */
    public Builder toBuilder() {
        return new Builder().numLayers(numLayers).hiddenSize(hiddenSize).numHeads(numHeads)
                .intermediateSize(intermediateSize).vocabSize(vocabSize).maxPositions(maxPositions)
                .typeVocabSize(typeVocabSize).layerNormEps(layerNormEps).maskValue(maskValue);
    }

    /** Number of encoder layers L. */
    public int numLayers() { return numLayers; }
    /** Hidden width d. */
    public int hiddenSize() { return hiddenSize; }
    /** Attention heads H. */
    public int numHeads() { return numHeads; }
    /** Head width d_h = d / H. */
    public int headDim() { return hiddenSize / numHeads; }
    /** Feed-forward inner width. */
    public int intermediateSize() { return intermediateSize; }
    /** Rows of the word embedding table. */
    public int vocabSize() { return vocabSize; }
    /** Rows of the position embedding table (longest sequence). */
    public int maxPositions() { return maxPositions; }
    /** Rows of the token type embedding table. */
    public int typeVocabSize() { return typeVocabSize; }
    /** LayerNorm epsilon: y = (x - mean) / sqrt(var + eps) * gamma + beta. */
    public double layerNormEps() { return layerNormEps; }
    /** Additive attention mask value for padded keys, e.g. -3.4028235E38 (float32 min) or -10000. */
    public float maskValue() { return maskValue; }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof BertConfig)) {
            return false;
        }
        BertConfig c = (BertConfig) o;
        return numLayers == c.numLayers && hiddenSize == c.hiddenSize && numHeads == c.numHeads
                && intermediateSize == c.intermediateSize && vocabSize == c.vocabSize
                && maxPositions == c.maxPositions && typeVocabSize == c.typeVocabSize
                && Double.compare(layerNormEps, c.layerNormEps) == 0
                && Float.compare(maskValue, c.maskValue) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(numLayers, hiddenSize, numHeads, intermediateSize, vocabSize, maxPositions,
                typeVocabSize, layerNormEps, maskValue);
    }

    @Override
    public String toString() {
        return "BertConfig{layers=" + numLayers + ", hidden=" + hiddenSize + ", heads=" + numHeads
                + ", intermediate=" + intermediateSize + ", vocab=" + vocabSize + ", maxPositions="
                + maxPositions + ", typeVocab=" + typeVocabSize + ", eps=" + layerNormEps
                + ", maskValue=" + maskValue + "}";
    }

    /** Fluent builder; every size must be set; defaults: typeVocabSize 2, layerNormEps 1e-12, maskValue float32 min. */
    public static final class Builder {
        private int numLayers;
        private int hiddenSize;
        private int numHeads;
        private int intermediateSize;
        private int vocabSize;
        private int maxPositions;
        private int typeVocabSize = 2;
        private double layerNormEps = 1e-12;
        private float maskValue = -Float.MAX_VALUE;

        private Builder() {
        }

        public Builder numLayers(int v) { numLayers = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numHeads(int v) { numHeads = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder maxPositions(int v) { maxPositions = v; return this; }
        public Builder typeVocabSize(int v) { typeVocabSize = v; return this; }
        public Builder layerNormEps(double v) { layerNormEps = v; return this; }
        public Builder maskValue(float v) { maskValue = v; return this; }

        /** @throws IllegalArgumentException if a value is missing or inconsistent */
        public BertConfig build() {
            return new BertConfig(this);
        }
    }
}
