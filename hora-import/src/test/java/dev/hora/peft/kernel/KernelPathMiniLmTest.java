package dev.hora.peft.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.Engine;
import dev.hora.peft.PeftModel;
import dev.hora.train.Objective;
import dev.hora.train.Trainer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernel path on the real all-MiniLM-L6-v2 and real tokenized sentences: loss and every
 * trainable gradient equal the SameDiff path (float, 1e-4 relative), for LoRA (factorised), MH-LoRA
 * and HoRA (dense) on query and value; a few kernel-path training steps leave every pretrained
 * tensor bit-identical and change every adapter tensor.
 */
class KernelPathMiniLmTest {
    private static ImportedBert bert;
    private static Map<String, INDArray> feeds;

    @BeforeAll
    static void load() {
        bert = TestModels.miniLm();
        feeds = new HashMap<>(TestModels.miniLmFeeds(TestModels.sentences()));
        int n = (int) feeds.get("input_ids").size(0);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            labels.putScalar(i, i % 2, 1);
        }
        feeds.put(ClassifierHead.LABELS, labels);
    }

    private static PeftModel model(AdapterKind kind, Engine e) {
        return PeftModel.builder(bert).engine(e).numClasses(2)
                .adapter(AdapterConfig.builder().kind(kind).rank(8).targets(Target.Q, Target.V).build()).build();
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void gradientsEqualSameDiffAndTrainingLeavesTheBaseUntouched(AdapterKind kind) {
        PeftModel k = model(kind, Engine.KERNELS);
        PeftModel s = model(kind, Engine.SAMEDIFF);
        Map<String, INDArray> values = new LinkedHashMap<>();
        long seed = 3;
        for (Map.Entry<String, INDArray> e : s.trainable().entrySet()) {
            values.put(e.getKey(), Nd4j.randn(seed++, e.getValue().shape()).castTo(DataType.FLOAT).muli(0.05));
        }
        k.setTrainable(values);
        s.setTrainable(values);
        Objective.Result r = k.objective().lossAndGradients(feeds);
        Map<String, INDArray> ref = s.sameDiff().calculateGradients(feeds, s.trainableNames());
        double refLoss = s.sameDiff().output(feeds, ClassifierHead.LOSS).get(ClassifierHead.LOSS).getDouble(0);
        assertEquals(refLoss, r.loss(), 1e-4 * Math.abs(refLoss));
        for (String n : s.trainableNames()) {
            double err = KernelPathParityTest.relErr(r.gradients().get(n), ref.get(n));
            assertTrue(err < 1e-4, n + ": rel err " + err);
        }

        Map<String, INDArray> before = new HashMap<>();
        bert.weights().forEach((n, w) -> before.put(n, w.dup()));
        Map<String, INDArray> adapterBefore = new HashMap<>();
        k.trainable().forEach((n, w) -> adapterBefore.put(n, w.dup()));
        Trainer t = k.trainer(Trainer.builder().adam(1e-3, 0, 10)).build();
        for (int i = 0; i < 3; i++) {
            t.step(feeds);
        }
        bert.weights().forEach((n, w) -> assertTrue(w.equals(before.get(n)), "pretrained " + n + " changed"));
        for (String n : List.copyOf(adapterBefore.keySet())) {
            assertTrue(!k.trainable().get(n).equals(adapterBefore.get(n)), "trainable " + n + " did not change");
        }
    }
}
