package dev.hora.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.adapter.FactorKernels;
import dev.hora.backbone.BertBackbone;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.kernel.KernelObjective;
import dev.hora.train.Objective;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * The DL4J layer's gradients in double precision on the tiny BERT (a ragged, padded batch): against
 * the kernel engine's objective ({@link KernelObjective}, what {@code hora finetune} trains with) at
 * the same adapter and head values, and against central finite differences of the network's score.
 */
class PretrainedEncoderGradientTest {
    private static final double H = 1e-6;

    static AdapterConfig config(AdapterKind kind) {
        AdapterConfig.Builder b = AdapterConfig.builder().kind(kind).rank(2).alpha(4)
                .targets(Target.Q, Target.V, Target.FFN_IN, Target.FFN_OUT).seed(5);
        if (kind == AdapterKind.HORA) {
            b.seedWidth(2).hiddenWidth(4).learnableSeeds(false).generatorLrMultiplier(2);
        }
        return b.build();
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void gradientsEqualTheKernelEngineAndFiniteDifferences(AdapterKind kind) {
        AdapterConfig cfg = config(kind);
        ComputationGraph g = TinyEncoderNets.classifier(cfg, DataType.DOUBLE, new Sgd(0.1), 3);
        TinyEncoderNets.randomiseAdapter(g, 11, 0.3);
        DataSet ds = TinyEncoderNets.batch(7, 6, 3, 5);
        g.setInput(0, ds.getFeatures());
        g.setLabels(ds.getLabels());
        g.setLayerMaskArrays(new INDArray[]{ds.getFeaturesMaskArray()}, null);
        g.computeGradientAndScore();
        double score = g.score();
        Gradient grad = g.gradient();
        g.clearLayerMaskArrays();
        // DL4J's raw gradient is the sum over the batch (its updater divides by the batch size); the score is the mean
        int batchSize = (int) ds.getFeatures().size(0);

        // the kernel engine at the same values
        ImportedBert bert = TestModels.tiny();
        BertBackbone backbone = new BertBackbone(bert.config(), bert.weights(), DataType.DOUBLE);
        PretrainedEncoderLayer layer = (PretrainedEncoderLayer) g.getLayer("encoder");
        Map<Integer, Map<String, INDArray>> values = layer.adapterValues();
        PretrainedEncoder conf = (PretrainedEncoder) g.getLayer("encoder").conf().getLayer();
        FactorKernels fk = new FactorKernels(conf.layout().adapters(), values, AdapterSet::varName);
        Map<String, INDArray> params = new LinkedHashMap<>(fk.parameters());
        params.put(ClassifierHead.WEIGHT, g.getParam("out_W").dup('c'));
        params.put(ClassifierHead.BIAS, g.getParam("out_b").dup('c'));
        Objective ref = new KernelObjective(backbone, fk, params, Map.of(), true, 0, 0, () -> { });
        ref.beginStep(0);
        Map<String, INDArray> batch = new LinkedHashMap<>();
        batch.put(BertEncoder.INPUT_IDS, ds.getFeatures());
        batch.put(BertEncoder.ATTENTION_MASK, ds.getFeaturesMaskArray());
        batch.put(BertEncoder.TOKEN_TYPE_IDS, ds.getFeatures().mul(0));
        batch.put(ClassifierHead.LABELS, ds.getLabels());
        Objective.Result r = ref.lossAndGradients(batch);
        assertEquals(r.loss(), score, 1e-9, "loss: kernel engine vs DL4J score");
        int compared = 0;
        for (String key : conf.layout().trainable().keySet()) {
            INDArray dl4j = grad.getGradientFor("encoder_" + key).div(batchSize);
            INDArray kernel = r.gradients().get(key);
            double scale = Math.max(kernel.amaxNumber().doubleValue(), 1e-12);
            double diff = dl4j.castTo(DataType.DOUBLE).sub(kernel.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(kernel.amaxNumber().doubleValue() > 1e-6, key + ": the kernel gradient vanishes");
            assertTrue(diff / scale < 1e-6, key + ": DL4J layer vs kernel engine, max |diff| " + diff + " of " + scale);
            compared++;
        }
        assertEquals(conf.layout().trainable().size(), compared);
        if (kind == AdapterKind.HORA) {
            assertTrue(conf.layout().trainable().size() < fk.parameters().size(), "HoRA's fixed seeds are no parameters");
        }

        worstFiniteDifferenceError(g, conf, ds, batchSize, kind.toString());
    }

    /** SEQUENCE output [B, d, S] with its mask into DL4J's masked global max pooling, then a softmax head. */
    @org.junit.jupiter.api.Test
    void theSequenceOutputsGradientsEqualFiniteDifferences() {
        ComputationGraph g = new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(4).updater(new Sgd(0.1)).graphBuilder().addInputs("ids")
                .addLayer("encoder", TinyEncoderNets.encoder(config(AdapterKind.LORA), PretrainedEncoder.Output.SEQUENCE), "ids")
                .addLayer("pool", new org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer.Builder(
                        org.deeplearning4j.nn.conf.layers.PoolingType.MAX).build(), "encoder")
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                        org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.MCXENT)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).nIn(32).nOut(3).build(), "pool")
                .setOutputs("out").build());
        g.init();
        TinyEncoderNets.randomiseAdapter(g, 12, 0.3);
        DataSet ds = TinyEncoderNets.batch(9, 5, 2, 4);
        g.setInput(0, ds.getFeatures());
        g.setLabels(ds.getLabels());
        g.setLayerMaskArrays(new INDArray[]{ds.getFeaturesMaskArray()}, null);
        g.computeGradientAndScore();
        g.clearLayerMaskArrays();
        PretrainedEncoder conf = (PretrainedEncoder) g.getLayer("encoder").conf().getLayer();
        worstFiniteDifferenceError(g, conf, ds, 3, "SEQUENCE output");
        INDArray seq = g.feedForward(new INDArray[]{ds.getFeatures()}, false).get("encoder");
        assertEquals(java.util.List.of(3L, 32L, 5L), java.util.Arrays.stream(seq.shape()).boxed().toList(), "[B, d, S]");
    }

    /**
     * Asserts that central differences of the network's score match its last computed gradient (DL4J's
     * batch sum, divided by {@code batchSize}) within 1e-6 relative (above 1e-3): 3 entries per parameter.
     */
    static double worstFiniteDifferenceError(ComputationGraph g, PretrainedEncoder conf, DataSet ds, int batchSize,
                                             String what) {
        // central finite differences of the network's score, 3 entries of every parameter (flat view indices)
        INDArray flat = g.getLayer("encoder").params();
        INDArray an = g.getLayer("encoder").getGradientsViewArray().dup().divi(batchSize);
        Random pick = new Random(3);
        double worst = 0;
        String worstAt = "";
        long off = 0;
        for (Map.Entry<String, long[]> e : conf.layout().trainable().entrySet()) {
            long n = EncoderLayout.length(e.getValue());
            for (int t = 0; t < 3; t++) {
                long i = off + pick.nextInt((int) n);
                double x0 = flat.getDouble(i);
                flat.putScalar(i, x0 + H);
                double lp = g.score(ds, false);
                flat.putScalar(i, x0 - H);
                double lm = g.score(ds, false);
                flat.putScalar(i, x0);
                double fd = (lp - lm) / (2 * H);
                double a = an.getDouble(i);
                double err = Math.abs(fd - a) / Math.max(Math.abs(fd) + Math.abs(a), 1e-3);   // relative above 1e-3
                if (err > worst) {
                    worst = err;
                    worstAt = e.getKey() + " (flat " + i + "): analytic " + a + " vs numeric " + fd;
                }
            }
            off += n;
        }
        assertTrue(worst < 1e-6, what + ": worst relative error " + worst + " at " + worstAt);
        return worst;
    }
}
