package dev.hora.peft.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.Engine;
import dev.hora.peft.PeftModel;
import dev.hora.train.Objective;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernel path against the SameDiff reference on the same PeftModel settings: probabilities,
 * loss and every trainable gradient (float, tiny random BERT, ragged padded batch), for every
 * adapter kind, both apply modes, attention and feed-forward targets, MEAN and CLS pooling; the adapter
 * factors by FactorKernels (Engine.KERNELS) and, in two cases, by the SameDiff FactorGraph.
 */
class KernelPathParityTest {
    private static ImportedBert bert;
    private static Map<String, INDArray> feeds;

    @BeforeAll
    static void load() {
        bert = TestModels.tiny();
        feeds = new HashMap<>(TestModels.tinyFeeds(5, 9, 4, 7));
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 3, 3);
        labels.putScalar(0, 2, 1);
        labels.putScalar(1, 0, 1);
        labels.putScalar(2, 1, 1);
        feeds.put(ClassifierHead.LABELS, labels);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(AdapterKind.LORA, ApplyMode.FACTORISED, Pooling.MEAN, List.of(Target.Q, Target.V), Engine.KERNELS),
                Arguments.of(AdapterKind.LORA, ApplyMode.DENSE, Pooling.CLS, List.of(Target.values()), Engine.KERNELS),
                Arguments.of(AdapterKind.LORA, ApplyMode.FACTORISED, Pooling.MEAN, List.of(Target.values()), Engine.KERNELS),
                Arguments.of(AdapterKind.MH_LORA, ApplyMode.DENSE, Pooling.MEAN, List.of(Target.Q, Target.K, Target.O), Engine.KERNELS),
                Arguments.of(AdapterKind.MH_LORA, ApplyMode.FACTORISED, Pooling.MEAN, List.of(Target.values()), Engine.KERNELS),
                Arguments.of(AdapterKind.HORA, ApplyMode.DENSE, Pooling.MEAN, List.of(Target.values()), Engine.KERNELS),
                Arguments.of(AdapterKind.HORA, ApplyMode.FACTORISED, Pooling.CLS, List.of(Target.Q, Target.V), Engine.KERNELS),
                Arguments.of(AdapterKind.HORA, ApplyMode.DENSE, Pooling.MEAN, List.of(Target.Q, Target.V, Target.FFN_IN),
                        Engine.KERNELS_FACTOR_GRAPH),
                Arguments.of(AdapterKind.LORA, ApplyMode.FACTORISED, Pooling.CLS, List.of(Target.Q, Target.V),
                        Engine.KERNELS_FACTOR_GRAPH));
    }

    private static PeftModel model(AdapterKind kind, ApplyMode mode, Pooling pooling, List<Target> targets, Engine e) {
        return PeftModel.builder(bert).engine(e).pooling(pooling).numClasses(3)
                .adapter(AdapterConfig.builder().kind(kind).rank(2).applyMode(mode).targets(targets).build()).build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void kernelsEqualSameDiff(AdapterKind kind, ApplyMode mode, Pooling pooling, List<Target> targets, Engine engine) {
        PeftModel k = model(kind, mode, pooling, targets, engine);
        PeftModel s = model(kind, mode, pooling, targets, Engine.SAMEDIFF);
        Map<String, INDArray> values = new LinkedHashMap<>();
        long seed = 11;
        for (Map.Entry<String, INDArray> e : s.trainable().entrySet()) {
            values.put(e.getKey(), Nd4j.randn(seed++, e.getValue().shape()).castTo(e.getValue().dataType()).muli(0.1));
        }
        k.setTrainable(values);
        s.setTrainable(values);

        INDArray pk = k.predictProba(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK),
                feeds.get(BertEncoder.TOKEN_TYPE_IDS));
        INDArray ps = s.predictProba(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK),
                feeds.get(BertEncoder.TOKEN_TYPE_IDS));
        assertTrue(relErr(pk, ps) < 1e-4, "probabilities: rel err " + relErr(pk, ps));

        Objective.Result r = k.objective().lossAndGradients(feeds);
        Map<String, INDArray> ref = s.sameDiff().calculateGradients(feeds, s.trainableNames());
        double refLoss = s.sameDiff().output(feeds, ClassifierHead.LOSS).get(ClassifierHead.LOSS).getDouble(0);
        assertEquals(refLoss, r.loss(), 1e-4 * Math.abs(refLoss));
        assertEquals(s.trainableNames().size(), r.gradients().size());
        for (String n : s.trainableNames()) {
            INDArray g = r.gradients().get(n);
            double err = relErr(g, ref.get(n));
            assertTrue(err < 1e-4, n + ": rel err " + err);
        }
        // a second step reuses the factor workspace (kernel factors): the first step's gradients, handed to the
        // trainer, stay intact and outside every workspace, and the second step's equal the reference too
        k.objective().lossAndGradients(feeds);
        Objective.Result r2 = k.objective().lossAndGradients(feeds);   // (the workspace's first cycle only learns its size)
        assertEquals(engine == Engine.KERNELS, Workspaces.reservedBytes(Workspaces.FACTORS) > 0,
                "factor workspace used by the kernel factors only");
        for (String n : s.trainableNames()) {
            assertFalse(r.gradients().get(n).isAttached() || r2.gradients().get(n).isAttached(), n + " attached");
            assertTrue(relErr(r.gradients().get(n), ref.get(n)) < 1e-4, n + ": first step's gradient overwritten");
            assertTrue(relErr(r2.gradients().get(n), ref.get(n)) < 1e-4, n + ": second step");
        }
        Workspaces.release(Workspaces.FACTORS);
    }

    /** ||a - b|| / ||b|| (Frobenius). */
    static double relErr(INDArray a, INDArray b) {
        INDArray bb = b.castTo(DataType.DOUBLE);
        double scale = Math.max(bb.norm2Number().doubleValue(), 1e-12);
        return a.castTo(DataType.DOUBLE).reshape(bb.shape()).sub(bb).norm2Number().doubleValue() / scale;
    }
}
