package dev.hora.onnx.bert;

import dev.hora.config.Target;
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

    /** The Hugging Face module path of a projection: {@code encoder.layer.<layer>.<hfPath>}. */
    public static String module(int layer, Target t) {
        return layer(layer, t.hfPath());
    }

    /** {@code encoder.layer.<layer>.<hfPath>.weight}, [d_in, d_out]. */
    public static String weight(int layer, Target t) {
        return layer(layer, t.hfPath() + ".weight");
    }

    /** {@code encoder.layer.<layer>.<hfPath>.bias}, [d_out]. */
    public static String bias(int layer, Target t) {
        return layer(layer, t.hfPath() + ".bias");
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
            for (Target k : Target.values()) {
                long in = k == Target.FFN_OUT ? f : d;
                long out = k == Target.FFN_IN ? f : d;
                m.put(weight(l, k), new long[] {in, out});
                m.put(bias(l, k), new long[] {out});
                if (k == Target.O || k == Target.FFN_OUT) {
                    String ln = k == Target.FFN_OUT ? OUTPUT_LN : ATTENTION_LN;
                    m.put(layer(l, ln + ".weight"), new long[] {d});
                    m.put(layer(l, ln + ".bias"), new long[] {d});
                }
            }
        }
        return m;
    }
}
