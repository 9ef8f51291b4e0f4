package dev.hora.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Adapters on an imported (tiny, random) BERT: init identity, merge parity, freezing, selection, summary. */
class PeftModelTest {
    private static ImportedBert bert;
    private static Map<String, INDArray> feeds;
    private static INDArray baseHidden;
    private static INDArray sameDiffHidden;

    @BeforeAll
    static void load() {
        bert = TestModels.tiny();
        feeds = TestModels.tinyFeeds(3, 9, 5, 7);
        SameDiff sd = SameDiff.create();
        bert.encoder().build(sd);
        sameDiffHidden = sd.output(feeds, BertEncoder.LAST_HIDDEN_STATE).get(BertEncoder.LAST_HIDDEN_STATE);
        baseHidden = hidden(PeftModel.builder(bert).numClasses(3).build());   // the kernel engine, no adapter
    }

    private static PeftModel model(AdapterKind kind, Target... targets) {
        return PeftModel.builder(bert).adapter(AdapterConfig.builder().kind(kind).rank(2).targets(targets).build())
                .numClasses(3).build();
    }

    private static INDArray hidden(PeftModel m) {
        return m.lastHiddenState(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK),
                feeds.get(BertEncoder.TOKEN_TYPE_IDS));
    }

    private static INDArray proba(PeftModel m) {
        return m.predictProba(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK),
                feeds.get(BertEncoder.TOKEN_TYPE_IDS));
    }

    /** Every adapter parameter set to small random values, so dW != 0. */
    private static void randomise(PeftModel m) {
        Nd4j.getRandom().setSeed(5);
        m.adapterParams().values().forEach(p -> p.values().forEach(a -> a.assign(Nd4j.randn(a.dataType(), a.shape()).muli(0.3))));
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void atInitTheEncoderOutputIsTheBaseModels(AdapterKind kind) {
        PeftModel m = model(kind, Target.Q, Target.V, Target.FFN_IN);
        assertEquals(0.0, hidden(m).sub(baseHidden).amaxNumber().doubleValue(), 0.0, "dW = 0: bit-identical");
        assertTrue(baseHidden.sub(sameDiffHidden).amaxNumber().doubleValue() < 1e-5, "kernels vs SameDiff base");
        randomise(m);
        assertTrue(hidden(m).sub(baseHidden).amaxNumber().doubleValue() > 1e-3, "a non-zero adapter changes it");
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void eachLayersAdapterStartsFromItsOwnValues(AdapterKind kind) {
        Map<Integer, Map<String, INDArray>> p = model(kind, Target.Q).adapterParams();
        String random = kind == AdapterKind.HORA ? "qZ" : "qA";
        assertNotEquals(p.get(0).get(random), p.get(1).get(random), kind + ": layer 0 and layer 1");
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void mergedModelMatchesAndHasNoAdapter(AdapterKind kind, @TempDir Path dir) throws Exception {
        PeftModel m = model(kind, Target.Q, Target.K, Target.V, Target.O, Target.FFN_OUT);
        randomise(m);
        INDArray expected = proba(m);
        MergedModel merged = m.merge();
        INDArray got = merged.predictProba(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK),
                feeds.get(BertEncoder.TOKEN_TYPE_IDS));
        assertEquals(0.0, got.sub(expected).amaxNumber().doubleValue(), 1e-5);
        assertEquals(0, merged.variableCount(), "every tensor of a merged model is a constant");
        assertFalse(merged.sameDiff().variableMap().keySet().stream().anyMatch(n -> n.startsWith("adapter.")),
                "no adapter tensors left");

        Path file = dir.resolve("merged.sd");
        merged.save(file);
        INDArray reloaded = MergedModel.load(file).predictProba(feeds.get(BertEncoder.INPUT_IDS),
                feeds.get(BertEncoder.ATTENTION_MASK), feeds.get(BertEncoder.TOKEN_TYPE_IDS));
        assertEquals(0.0, reloaded.sub(got).amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void onlyAdaptersAndHeadAreTrainableAndPretrainedWeightsStayBitIdentical() {
        PeftModel m = PeftModel.builder(bert).engine(Engine.SAMEDIFF).numClasses(3).adapter(AdapterConfig.builder()
                .kind(AdapterKind.HORA).rank(2).targets(Target.Q, Target.V).build()).build();
        Map<String, INDArray> before = new HashMap<>();
        bert.weights().forEach((n, w) -> before.put(n, w.dup()));
        Map<String, INDArray> trainableBefore = new HashMap<>();
        m.trainable().forEach((n, v) -> trainableBefore.put(n, v.dup()));
        List<String> vars = m.sameDiff().variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
                .map(v -> v.name()).sorted().toList();
        assertEquals(m.trainableNames().stream().sorted().toList(), vars, "graph variables = adapter + head");

        Map<String, INDArray> feed = new HashMap<>(feeds);
        feed.put("labels", Nd4j.createFromArray(new float[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}));
        dev.hora.train.Trainer t = m.trainer(dev.hora.train.Trainer.builder()
                .updater(new org.nd4j.linalg.learning.config.Sgd(0.1))).build();
        for (int step = 0; step < 3; step++) {
            t.step(feed);
        }
        bert.weights().forEach((n, w) -> assertEquals(before.get(n), w, n + " unchanged"));
        m.trainable().forEach((n, v) -> assertNotEquals(trainableBefore.get(n), v, n + " trained"));
    }

    @Test
    void selectionByModuleRegexAndLayer() {
        AdapterConfig lora = AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).targets(Target.Q).build();
        PeftModel byLayer = PeftModel.builder(bert).adapter(lora)
                .select(ModuleSelector.modules(List.of(Target.Q, Target.V)).layers(List.of(1))).build();
        assertEquals(List.of(1), List.copyOf(byLayer.adapters().keySet()));
        assertEquals(List.of(Target.Q, Target.V), List.copyOf(byLayer.adapters().get(1).projections().keySet()));

        PeftModel byRegex = PeftModel.builder(bert).adapter(lora)
                .select(ModuleSelector.regex("encoder\\.layer\\.0\\..*(key|output\\.dense)\\.weight")).build();
        assertEquals(List.of(0), List.copyOf(byRegex.adapters().keySet()));
        assertEquals(List.of(Target.K, Target.O, Target.FFN_OUT),
                List.copyOf(byRegex.adapters().get(0).projections().keySet()));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PeftModel.builder(bert)
                .adapter(lora).select(ModuleSelector.modules(List.of(Target.Q)).layers(List.of(7))).build());
        assertTrue(e.getMessage().contains("layers") && e.getMessage().contains("0-1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PeftModel.builder(bert).adapter(lora)
                .select(ModuleSelector.regex("nothing")).build());
        assertTrue(e.getMessage().contains("selects no projection"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModuleSelector.regex("(("));
    }

    @Test
    void summaryCountsEveryTrainableScalar() {
        PeftModel m = model(AdapterKind.HORA, Target.Q, Target.V);
        long adapters = m.adapters().values().stream().mapToLong(a -> a.numParams()).sum();
        // closed form per layer: |T| H r e + e k + k + |T| (k + 1) d_in + |T| (k + 1) d_h; d = 32, H = 4, r = 2
        long perLayer = 2L * 4 * 2 * 8 + 8 * 16 + 16 + 2L * 17 * 32 + 2L * 17 * 8;
        assertEquals(2 * perLayer, adapters);
        long head = 33L * 3;
        long pretrained = bert.weights().values().stream().mapToLong(INDArray::length).sum();
        ParameterSummary s = m.summary();
        assertEquals(adapters + head, s.trainable());
        assertEquals(pretrained + adapters + head, s.total());
        assertEquals(Map.of("hora", adapters, "classifier", head), s.byGroup());
        assertTrue(s.toString().startsWith("trainable params: "), s.toString());

        PeftModel probe = PeftModel.builder(bert).numClasses(3).pooling(Pooling.CLS).build();
        assertEquals(head, probe.summary().trainable());
        assertEquals(List.of("classifier.weight", "classifier.bias"), probe.trainableNames());
    }
}
