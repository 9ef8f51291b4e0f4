package dev.hora.onnx.bert;

import dev.hora.onnx.BertConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HF names and shapes of a BERT encoder's tensors, in HF state-dict order. Dense weights are
 * [in, out] (ONNX layout, y = x W + b), the transpose of PyTorch's Linear.weight.
 */
public final class BertWeightNames {
    public static final String WORD_EMBEDDINGS = "embeddings.word_embeddings.weight";
    public static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings.weight";
    public static final String TOKEN_TYPE_EMBEDDINGS = "embeddings.token_type_embeddings.weight";
    public static final String EMBEDDINGS_LN_WEIGHT = "embeddings.LayerNorm.weight";
    public static final String EMBEDDINGS_LN_BIAS = "embeddings.LayerNorm.bias";
    /** LayerNorm after the attention block, per layer: {@code attention.output.LayerNorm}. */
    public static final String ATTENTION_LN = "attention.output.LayerNorm";
    /** LayerNorm after the feed-forward block, per layer: {@code output.LayerNorm}. */
    public static final String OUTPUT_LN = "output.LayerNorm";

    private BertWeightNames() {
    }

    /** {@code encoder.layer.<layer>.<suffix>}. */
    public static String layer(int layer, String suffix) {
        return "encoder.layer." + layer + "." + suffix;
    }

    /** Every tensor the encoder needs, name to shape, in HF order. */
    public static Map<String, long[]> expected(BertConfig c) {
        long d = c.hiddenSize();
        long f = c.intermediateSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WORD_EMBEDDINGS, new long[] {c.vocabSize(), d});
        m.put(POSITION_EMBEDDINGS, new long[] {c.maxPositions(), d});
        m.put(TOKEN_TYPE_EMBEDDINGS, new long[] {c.typeVocabSize(), d});
        m.put(EMBEDDINGS_LN_WEIGHT, new long[] {d});
        m.put(EMBEDDINGS_LN_BIAS, new long[] {d});
        for (int l = 0; l < c.numLayers(); l++) {
            for (ModuleKind k : ModuleKind.values()) {
                long in = k == ModuleKind.OUTPUT ? f : d;
                long out = k == ModuleKind.INTERMEDIATE ? f : d;
                m.put(k.weightName(l), new long[] {in, out});
                m.put(k.biasName(l), new long[] {out});
                if (k == ModuleKind.ATTENTION_OUTPUT || k == ModuleKind.OUTPUT) {
                    String ln = k == ModuleKind.OUTPUT ? OUTPUT_LN : ATTENTION_LN;
                    m.put(layer(l, ln + ".weight"), new long[] {d});
                    m.put(layer(l, ln + ".bias"), new long[] {d});
                }
            }
        }
        return m;
    }
}
