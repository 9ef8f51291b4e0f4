package dev.hora.peft;

import dev.hora.onnx.bert.BertEncoder;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The encoder's placeholder feed: input_ids, attention_mask, token_type_ids [b, s] int64. */
public final class Inputs {
    private Inputs() {
    }

    public static Map<String, INDArray> feed(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        Map<String, INDArray> m = new HashMap<>();
        m.put(BertEncoder.INPUT_IDS, inputIds.castTo(DataType.INT64));
        m.put(BertEncoder.ATTENTION_MASK, attentionMask.castTo(DataType.INT64));
        m.put(BertEncoder.TOKEN_TYPE_IDS, tokenTypeIds.castTo(DataType.INT64));
        return m;
    }
}
