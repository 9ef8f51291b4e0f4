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

    /**
     * An encoder of the given shape with random weights (N(0, 0.02^2) dense and embedding tables,
     * LayerNorm gamma 1 and beta 0, zero biases), for benchmarks and tests at sizes no shipped
     * model has (e.g. BERT-base: 12 layers, 768 wide, 12 heads, 3072 feed-forward).
     */
    public static ImportedBert random(BertConfig config, long seed) {
        Map<String, INDArray> w = new java.util.LinkedHashMap<>();
        long s = seed;
        for (Map.Entry<String, long[]> e : dev.hora.onnx.bert.BertWeightNames.expected(config).entrySet()) {
            String n = e.getKey();
            long[] shape = e.getValue();
            INDArray a;
            if (n.endsWith("LayerNorm.weight")) {
                a = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape);
            } else if (shape.length == 1) {
                a = org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, shape);
            } else {
                a = org.nd4j.linalg.factory.Nd4j.randn(s++, shape).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                        .muli(0.02);
            }
            w.put(n, a);
        }
        return new ImportedBert("random " + config.numLayers() + "x" + config.hiddenSize() + " encoder", config, w);
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
