package dev.hora.onnx;

import dev.hora.onnx.bert.BertEncoderBuilder;
import java.util.Collections;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A BERT-family encoder read from ONNX: its configuration and pretrained weights.
 *
 * <p>{@link #weights()} is ordered like an HF state dict: {@code embeddings.*}, then per layer
 * {@code encoder.layer.<i>.attention.self.{query,key,value}.{weight,bias}},
 * {@code attention.output.dense.*}, {@code attention.output.LayerNorm.*},
 * {@code intermediate.dense.*}, {@code output.dense.*}, {@code output.LayerNorm.*}; then
 * {@code pooler.*} if the export has it. Dense weights are [in, out]: y = x W + b.
 */
public final class ImportedBert {
    private final String source;
    private final BertConfig config;
    private final Map<String, INDArray> weights;

    ImportedBert(String source, BertConfig config, Map<String, INDArray> weights) {
        this.source = source;
        this.config = config;
        this.weights = Collections.unmodifiableMap(weights);
    }

    /** The file or resource it came from. */
    public String source() {
        return source;
    }

    public BertConfig config() {
        return config;
    }

    /** HF name to float32 tensor, read-only map in HF order (the arrays themselves are shared). */
    public Map<String, INDArray> weights() {
        return weights;
    }

    /** A builder for the SameDiff encoder graph with these weights. */
    public BertEncoderBuilder encoder() {
        return BertEncoderBuilder.of(config, weights);
    }
}
