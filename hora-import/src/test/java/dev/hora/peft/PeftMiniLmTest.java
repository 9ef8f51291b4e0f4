package dev.hora.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** HoRA on query and value of the real all-MiniLM-L6-v2 (docs/METHOD.md's worked example). */
class PeftMiniLmTest {
    private static ImportedBert bert;
    private static Map<String, INDArray> feeds;
    private static PeftModel model;

    @BeforeAll
    static void load() {
        bert = TestModels.miniLm();
        feeds = TestModels.miniLmFeeds(TestModels.sentences());
        model = PeftModel.builder(bert).adapter(AdapterConfig.builder().build()).numClasses(2).build();
    }

    private static INDArray in(String name) {
        return feeds.get(name);
    }

    @Test
    void defaultHoraMatchesTheBaseAtInitAndMergesExactly() {
        SameDiff base = SameDiff.create();
        bert.encoder().build(base);
        INDArray expected = base.output(feeds, BertEncoder.LAST_HIDDEN_STATE).get(BertEncoder.LAST_HIDDEN_STATE);
        INDArray hidden = model.lastHiddenState(in(BertEncoder.INPUT_IDS), in(BertEncoder.ATTENTION_MASK),
                in(BertEncoder.TOKEN_TYPE_IDS));
        INDArray kernelBase = PeftModel.builder(bert).numClasses(2).build().lastHiddenState(in(BertEncoder.INPUT_IDS),
                in(BertEncoder.ATTENTION_MASK), in(BertEncoder.TOKEN_TYPE_IDS));
        assertEquals(0.0, hidden.sub(kernelBase).amaxNumber().doubleValue(), 0.0, "dW = 0 at init: bit-identical");
        double vsSameDiff = maskedMaxDiff(hidden, expected, in(BertEncoder.ATTENTION_MASK));
        assertTrue(vsSameDiff < 1e-4, "kernel encoder vs SameDiff encoder, real tokens: " + vsSameDiff);

        Nd4j.getRandom().setSeed(1);
        model.adapterParams().values().forEach(p -> p.values().forEach(a -> a.addi(Nd4j.randn(a.dataType(), a.shape()).muli(0.05))));
        INDArray adapted = model.predictProba(in(BertEncoder.INPUT_IDS), in(BertEncoder.ATTENTION_MASK),
                in(BertEncoder.TOKEN_TYPE_IDS));
        MergedModel mm = model.merge();
        INDArray merged = mm.predictProba(in(BertEncoder.INPUT_IDS), in(BertEncoder.ATTENTION_MASK),
                in(BertEncoder.TOKEN_TYPE_IDS));
        INDArray graph = mm.sameDiff().output(Inputs.feed(in(BertEncoder.INPUT_IDS), in(BertEncoder.ATTENTION_MASK),
                in(BertEncoder.TOKEN_TYPE_IDS)), ClassifierHead.PROBABILITIES).get(ClassifierHead.PROBABILITIES);
        double kernelVsGraph = merged.sub(graph).amaxNumber().doubleValue();
        assertTrue(kernelVsGraph < 1e-5, "merged model: kernel path vs its SameDiff graph: " + kernelVsGraph);
        double diff = merged.sub(adapted).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "merged vs adapted probabilities: " + diff);
    }

    /** Max |a - b| over unmasked positions of [b, s, d] states. */
    static double maskedMaxDiff(INDArray a, INDArray b, INDArray mask) {
        INDArray m = mask.castTo(a.dataType()).reshape(mask.size(0), mask.size(1), 1);
        return a.sub(b).muli(m).amaxNumber().doubleValue();
    }

    @Test
    void summaryIsHoraMdsMarginalIncrease() {
        ParameterSummary s = model.summary();
        assertEquals(6 * 15_824L, s.byGroup().get("hora"), "15.8 K per layer (docs/METHOD.md)");
        assertEquals(385 * 2L, s.byGroup().get("classifier"));
        long pretrained = bert.weights().values().stream().mapToLong(INDArray::length).sum();
        assertEquals(pretrained + 6 * 15_824L + 770, s.total());
        assertTrue(s.trainablePercent() > 0.3 && s.trainablePercent() < 0.5, s.toString());
    }
}
