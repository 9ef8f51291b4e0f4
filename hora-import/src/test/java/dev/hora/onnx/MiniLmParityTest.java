package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The real all-MiniLM-L6-v2 against ONNX Runtime on real sentences with its own tokenizer. */
class MiniLmParityTest {
    private static ImportedBert bert;
    private static OrtReference ort;
    private static Batch batch;
    private static INDArray reference;

    @BeforeAll
    static void load() throws Exception {
        bert = BertOnnx.fromResource(MiniLm.MODEL);
        ort = new OrtReference(MiniLm.bytes(MiniLm.MODEL), 1);
        batch = MiniLm.tokenize(MiniLm.SENTENCES);
        reference = ort.lastHiddenState(batch);
    }

    @AfterAll
    static void close() throws Exception {
        ort.close();
    }

    @Test
    void configIsMiniLm() {
        BertConfig c = bert.config();
        assertEquals(BertConfig.builder().numLayers(6).hiddenSize(384).numHeads(12).intermediateSize(1536)
                .vocabSize(30522).maxPositions(512).typeVocabSize(2).layerNormEps(1e-12f)
                .maskValue(-Float.MAX_VALUE).build(), c);
        assertEquals(32, c.headDim());
    }

    @Test
    void weightsHaveHfNamesOrderAndLayout() {
        List<String> names = new ArrayList<>(bert.weights().keySet());
        assertEquals(5 + 6 * 16, names.size());
        assertEquals(List.of("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
                "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query.bias"),
                names.subList(0, 7));
        assertEquals("encoder.layer.5.output.LayerNorm.bias", names.get(names.size() - 1));
        assertArrayEquals(new long[] {384, 1536}, bert.weights().get("encoder.layer.3.intermediate.dense.weight").shape());
        assertArrayEquals(new long[] {1536, 384}, bert.weights().get("encoder.layer.3.output.dense.weight").shape());
        // the query weight of layer 0 is the anonymous onnx::MatMul_787 consumed by .../query/MatMul
        assertNotEquals(bert.weights().get("encoder.layer.0.attention.self.query.weight"),
                bert.weights().get("encoder.layer.0.attention.self.key.weight"));
    }

    @Test
    void lastHiddenStateAndMeanPoolingMatchOnnxRuntime() {
        assertTrue(batch.ids()[2].length > 20 && batch.mask()[1][10] == 0, "batch must mix lengths and padding");
        SameDiff sd = SameDiff.create();
        bert.encoder().pooling(Pooling.MEAN).build(sd);
        Map<String, INDArray> out = sd.output(batch.feeds(), BertEncoder.LAST_HIDDEN_STATE, BertEncoder.POOLED);
        double hiddenDiff = batch.maxAbsDiffUnmasked(out.get(BertEncoder.LAST_HIDDEN_STATE), reference);
        double pooledDiff = out.get(BertEncoder.POOLED).sub(batch.meanPool(reference)).amaxNumber().doubleValue();
        System.out.printf("MiniLM: max |h - ort| = %.3g (unmasked), max |mean - ort mean| = %.3g%n",
                hiddenDiff, pooledDiff);
        assertTrue(hiddenDiff < 1e-4, "last_hidden_state differs from ONNX Runtime by " + hiddenDiff);
        assertTrue(pooledDiff < 1e-5, "mean-pooled embedding differs from ONNX Runtime by " + pooledDiff);
    }

    @Test
    void clsPoolingIsTheFirstTokenState() {
        SameDiff sd = SameDiff.create();
        bert.encoder().pooling(Pooling.CLS).build(sd);
        INDArray cls = sd.output(batch.feeds(), BertEncoder.POOLED).get(BertEncoder.POOLED);
        INDArray ref = reference.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
        assertArrayEquals(new long[] {MiniLm.SENTENCES.size(), 384}, cls.shape());
        assertTrue(cls.sub(ref).amaxNumber().doubleValue() < 1e-4);
    }
}
