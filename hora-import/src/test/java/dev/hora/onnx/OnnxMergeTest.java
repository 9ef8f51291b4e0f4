package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.PeftModel;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An adapter written into the base ONNX file (W + dW in its initializers) runs on ONNX Runtime with the
 * adapted model's output (pooled to 1e-5, last_hidden_state to the import's own 1e-4), for LoRA, MH-LoRA and HoRA; the base file alone is far from it (so the
 * merge is what closes the gap), and a delta for a weight the file lacks is refused.
 */
class OnnxMergeTest {
    @Test
    void ortOnTheMergedFileEqualsTheAdaptedModel() throws Exception {
        byte[] base = new TinyBertOnnx().build().toByteArray();
        ImportedBert bert = BertOnnx.fromBytes("tiny.onnx", base);
        PeftModel m = PeftModel.of(bert);
        Batch batch = Batch.random(3, 50, 2, 7, 4, 9);
        INDArray ids = Nd4j.createFromArray(batch.ids());
        INDArray mask = Nd4j.createFromArray(batch.mask());
        INDArray types = Nd4j.createFromArray(batch.types());
        long seed = 5;
        for (AdapterKind kind : AdapterKind.values()) {
            String name = kind.cliName();
            AdapterSet a = m.addAdapter(name, AdapterConfig.builder().kind(kind).rank(2)
                    .targets(List.of(Target.Q, Target.V, Target.O, Target.FFN_OUT)).build(), null, Pooling.MEAN, 0, 1);
            Nd4j.getRandom().setSeed(seed++);
            for (INDArray p : a.parameters().values()) {
                p.addi(Nd4j.randn(p.dataType(), p.shape()).muli(0.1));
            }
            a.parametersChanged();
            INDArray want = m.lastHiddenState(ids, mask, types, Collections.nCopies(3, name));
            byte[] merged = OnnxMerge.merge("tiny.onnx", base, a.deltaW());
            INDArray got;
            INDArray plain;
            try (OrtReference ort = new OrtReference(merged, 1); OrtReference orig = new OrtReference(base, 1)) {
                got = ort.lastHiddenState(batch);
                plain = orig.lastHiddenState(batch);
            }
            double err = maxAbsOnTokens(got, want, batch.mask());
            assertTrue(err < 1e-4, kind + ": last_hidden_state differs by " + err + " (the import's own parity: 1e-4)");
            INDArray pooled = m.pooled(ids, mask, types, Collections.nCopies(3, name));
            double pooledErr = meanPooled(got, batch.mask()).sub(pooled).amaxNumber().doubleValue();
            assertTrue(pooledErr < 1e-5, kind + ": pooled output differs by " + pooledErr);
            double gap = maxAbsOnTokens(plain, want, batch.mask());
            assertTrue(gap > 1e-2, kind + ": the adapter must change the output for the test to mean anything: " + gap);
        }
    }

    @Test
    void aDeltaForAWeightTheFileLacksIsRefused() {
        byte[] base = new TinyBertOnnx().build().toByteArray();
        PeftModel m = PeftModel.of(BertOnnx.fromBytes("tiny.onnx", base));
        AdapterSet a = m.addAdapter("x", AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).targets(List.of(Target.Q))
                .build(), null, Pooling.MEAN, 0, 1);
        Map<dev.hora.adapter.FactorSource.Key, INDArray> d = new java.util.HashMap<>(a.deltaW());
        var k = d.keySet().iterator().next();
        d.put(new dev.hora.adapter.FactorSource.Key(99, k.target()), d.get(k));
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxMerge.merge("tiny.onnx", base, d));
        assertTrue(e.getMessage().contains("encoder.layer.99"), e.getMessage());
    }

    static INDArray meanPooled(INDArray hidden, long[][] mask) {
        INDArray out = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, mask.length, hidden.size(2));
        for (int i = 0; i < mask.length; i++) {
            int n = 0;
            for (int t = 0; t < mask[i].length; t++) {
                if (mask[i][t] == 1) {
                    out.getRow(i).addi(hidden.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(t)));
                    n++;
                }
            }
            out.getRow(i).divi(n);
        }
        return out;
    }

    static double maxAbsOnTokens(INDArray a, INDArray b, long[][] mask) {
        double m = 0;
        for (int i = 0; i < mask.length; i++) {
            for (int t = 0; t < mask[i].length; t++) {
                if (mask[i][t] == 1) {
                    INDArray d = a.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(t)).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                            .sub(b.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                                    org.nd4j.linalg.indexing.NDArrayIndex.point(t)).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE));
                    m = Math.max(m, d.amaxNumber().doubleValue());
                }
            }
        }
        return m;
    }
}
