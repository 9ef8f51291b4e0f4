package dev.hora.onnx.bert;

import dev.hora.onnx.BertConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The encoder's endpoints in a SameDiff graph.
 *
 * <pre>
 *   input_ids, attention_mask, token_type_ids   [b, s] INT64 placeholders (b, s dynamic)
 *   last_hidden_state                           [b, s, d] FLOAT
 *   pooled (if pooling != NONE)                 [b, d] FLOAT
 * </pre>
 */
public record BertEncoder(SameDiff sameDiff, BertConfig config, SDVariable inputIds, SDVariable attentionMask,
                          SDVariable tokenTypeIds, SDVariable lastHiddenState, SDVariable pooled) {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    public static final String LAST_HIDDEN_STATE = "last_hidden_state";
    public static final String POOLED = "pooled";
}
