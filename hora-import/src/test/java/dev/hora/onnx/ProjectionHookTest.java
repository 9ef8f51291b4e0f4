package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.onnx.bert.BertEncoder;
import dev.hora.config.Target;
import dev.hora.onnx.bert.Pooling;
import dev.hora.onnx.bert.ProjectionHook;
import dev.hora.backbone.Site;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The projection hook sees every projection, and adapters inserted through it behave. */
class ProjectionHookTest {
    private static ImportedBert bert;
    private static Batch batch;
    private static INDArray base;

    @BeforeAll
    static void load() {
        bert = BertOnnx.fromBytes("tiny.onnx", new TinyBertOnnx().build().toByteArray());
        batch = Batch.random(11, 50, 2, 7, 3);
        base = pooled(ProjectionHook.DEFAULT, false);
    }

    private static INDArray pooled(ProjectionHook hook, boolean trainable) {
        SameDiff sd = SameDiff.create();
        bert.encoder().pooling(Pooling.MEAN).hook(hook).trainable(trainable).build(sd);
        return sd.output(batch.feeds(), BertEncoder.POOLED).get(BertEncoder.POOLED);
    }

    @Test
    void everyProjectionGoesThroughTheHookOnce() {
        List<Site> sites = new ArrayList<>();
        pooled((sd, site, x, w, b) -> {
            sites.add(site);
            return ProjectionHook.DEFAULT.project(sd, site, x, w, b);
        }, false);
        assertEquals(2 * 6, sites.size());
        assertEquals(new Site(0, Target.Q, "encoder.layer.0.attention.self.query", 32, 32, 4),
                sites.get(0));
        assertEquals(new Site(1, Target.FFN_OUT, "encoder.layer.1.output.dense", 64, 32, 4),
                sites.get(11));
        assertEquals("encoder.layer.1.output.dense.weight", sites.get(11).weightName());
        assertEquals(Target.FFN_IN, sites.get(4).role());
        assertEquals(64, sites.get(4).dOut());
    }

    /** y = x W + b + (x A) B: B = 0 leaves the output unchanged, B != 0 changes it. */
    @Test
    void loraStyleAdapterThroughTheHook() {
        for (double bScale : new double[] {0.0, 0.5}) {
            INDArray out = pooled((sd, site, x, w, b) -> {
                SDVariable y = x.mmul(w).add(b);
                if (site.role() != Target.Q && site.role() != Target.V) {
                    return y;
                }
                Nd4j.getRandom().setSeed(site.layer());
                SDVariable a = sd.var(site.modulePath() + ".lora_A", Nd4j.randn(DataType.FLOAT, site.dIn(), 2));
                SDVariable bb = sd.var(site.modulePath() + ".lora_B", Nd4j.randn(DataType.FLOAT, 2, site.dOut()).mul(bScale));
                return y.add(x.mmul(a).mmul(bb));
            }, false);
            double diff = out.sub(base).amaxNumber().doubleValue();
            assertTrue(bScale == 0 ? diff == 0 : diff > 1e-2, "B scale " + bScale + ": diff " + diff);
        }
    }

    @Test
    void trainableWeightsAreVariablesWithGradientsAndSameOutput() {
        SameDiff sd = SameDiff.create();
        BertEncoder enc = bert.encoder().pooling(Pooling.MEAN).trainable(true).build(sd);
        assertEquals(VariableType.VARIABLE, sd.getVariable("encoder.layer.0.attention.self.query.weight").getVariableType());
        assertEquals(VariableType.CONSTANT, sd.getVariable("embeddings.word_embeddings.weight").getVariableType());
        INDArray out = sd.output(batch.feeds(), BertEncoder.POOLED).get(BertEncoder.POOLED);
        assertTrue(out.equalsWithEps(base, 1e-6));

        sd.setLossVariables(enc.pooled().mul(enc.pooled()).sum("loss"));
        Map<String, INDArray> grads = sd.calculateGradients(batch.feeds(),
                "encoder.layer.0.attention.self.query.weight", "encoder.layer.1.output.LayerNorm.weight");
        for (INDArray g : grads.values()) {
            assertTrue(g.amaxNumber().doubleValue() > 0, "zero gradient");
        }
        // the imported weights are not shared with the trainable copies
        assertTrue(bert.weights().get("encoder.layer.0.attention.self.query.weight")
                != sd.getVariable("encoder.layer.0.attention.self.query.weight").getArr());
    }
}
