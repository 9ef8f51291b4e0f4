package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A second architecture built in the test (2 layers, width 32, 4 heads, FFN 64, eps 1e-5, mask
 * -10000): the config must be read from the file, and the encoder must match ONNX Runtime.
 */
class TinyBertParityTest {

    @ParameterizedTest(name = "layerNormalization op = {0}")
    @ValueSource(booleans = {false, true})
    void configIsReadAndOutputsMatchOnnxRuntime(boolean layerNormOp) throws Exception {
        TinyBertOnnx tiny = new TinyBertOnnx();
        tiny.layerNormOp = layerNormOp;
        tiny.layers = layerNormOp ? 3 : 2;
        tiny.heads = layerNormOp ? 8 : 4;
        byte[] bytes = tiny.build().toByteArray();
        ImportedBert bert = BertOnnx.fromBytes("tiny.onnx", bytes);

        BertConfig expected = BertConfig.builder().numLayers(tiny.layers).hiddenSize(32).numHeads(tiny.heads)
                .intermediateSize(64).vocabSize(50).maxPositions(24).typeVocabSize(2).layerNormEps(1e-5f)
                .maskValue(-10000f).build();
        assertEquals(expected, bert.config());

        Batch batch = Batch.random(3, 50, 2, 9, 4, 6);
        SameDiff sd = SameDiff.create();
        bert.encoder().pooling(Pooling.MEAN).build(sd);
        Map<String, INDArray> out = sd.output(batch.feeds(), BertEncoder.LAST_HIDDEN_STATE, BertEncoder.POOLED);
        INDArray ref;
        try (OrtReference ort = new OrtReference(bytes, 1)) {
            ref = ort.lastHiddenState(batch);
        }
        double hiddenDiff = batch.maxAbsDiffUnmasked(out.get(BertEncoder.LAST_HIDDEN_STATE), ref);
        double pooledDiff = out.get(BertEncoder.POOLED).sub(batch.meanPool(ref)).amaxNumber().doubleValue();
        System.out.printf("tiny (LN op %s): max |h - ort| = %.3g, max |mean - ort mean| = %.3g%n",
                layerNormOp, hiddenDiff, pooledDiff);
        assertTrue(hiddenDiff < 1e-4, "last_hidden_state differs by " + hiddenDiff);
        assertTrue(pooledDiff < 1e-5, "pooled differs by " + pooledDiff);
    }
}
