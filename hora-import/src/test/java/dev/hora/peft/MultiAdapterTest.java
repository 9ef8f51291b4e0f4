package dev.hora.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import dev.hora.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Many named adapters on one backbone: a mixed-adapter batch against each row run alone, the base rows
 * against the base model, training one adapter against the others, and the cache of inference factors.
 */
class MultiAdapterTest {
    private static ImportedBert bert;
    private static Map<String, INDArray> feeds;

    @BeforeAll
    static void load() {
        bert = TestModels.tiny();
        feeds = TestModels.tinyFeeds(5, 9, 4, 7, 9, 3, 6);   // 6 rows, ragged
    }

    static INDArray ids() {
        return feeds.get(BertEncoder.INPUT_IDS);
    }

    static INDArray mask() {
        return feeds.get(BertEncoder.ATTENTION_MASK);
    }

    static INDArray types() {
        return feeds.get(BertEncoder.TOKEN_TYPE_IDS);
    }

    /**
     * Every adapter parameter to small random values (dW != 0), drawn from {@code seed}; small enough that
     * float rounding (GEMMs of other row counts) is not amplified chaotically: at 0.2 a HoRA row on all six
     * projections drifted by 5e-5 relative between batch shapes, at 0.05 every row agrees to 3e-7.
     */
    static void randomise(AdapterSet a, long seed) {
        a.parameters().forEach((n, v) -> v.assign(Nd4j.randn(seed + n.hashCode(), v.shape()).castTo(v.dataType()).muli(0.05)));
    }

    /** A model with four adapters of every kind and mode, 3 classes each, random values. */
    static PeftModel fourAdapters() {
        PeftModel m = PeftModel.of(bert);
        Object[][] specs = {{"lora", AdapterKind.LORA, ApplyMode.FACTORISED, Pooling.MEAN, List.of(Target.Q, Target.V)},
                {"mh", AdapterKind.MH_LORA, ApplyMode.DENSE, Pooling.CLS, List.of(Target.Q, Target.K, Target.O, Target.FFN_IN)},
                {"hora", AdapterKind.HORA, ApplyMode.DENSE, Pooling.MEAN, List.of(Target.values())},
                {"lora-ffn", AdapterKind.LORA, ApplyMode.DENSE, Pooling.MEAN, List.of(Target.FFN_OUT, Target.V)}};
        long seed = 1;
        for (Object[] s : specs) {
            @SuppressWarnings("unchecked")
            List<Target> targets = (List<Target>) s[4];
            AdapterSet a = m.addAdapter((String) s[0], AdapterConfig.builder().kind((AdapterKind) s[1]).rank(2)
                    .applyMode((ApplyMode) s[2]).targets(targets).build(), null, (Pooling) s[3], 3, seed);
            randomise(a, seed++ * 1000);
        }
        return m;
    }

    static double relErr(INDArray got, INDArray want) {
        double scale = Math.max(want.norm2Number().doubleValue(), 1e-12);
        return got.sub(want).norm2Number().doubleValue() / scale;
    }

    static INDArray row(INDArray x, int i) {
        return x.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all()).dup();
    }

    @Test
    void aMixedBatchEqualsEachRowAloneWithItsAdapter() {
        PeftModel m = fourAdapters();
        List<String> names = Arrays.asList("hora", null, "lora", "mh", "hora", "lora-ffn");
        INDArray mixedHidden = m.lastHiddenState(ids(), mask(), types(), names);
        INDArray mixedPooled = m.pooled(ids(), mask(), types(), names);
        for (int i = 0; i < names.size(); i++) {
            m.setActiveAdapter(names.get(i));
            INDArray ri = row(ids(), i);
            INDArray rm = row(mask(), i);
            INDArray rt = row(types(), i);
            INDArray alone = m.lastHiddenState(ri, rm, rt);
            INDArray mixed = mixedHidden.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all());
            INDArray m3 = rm.castTo(DataType.FLOAT).reshape(1, rm.size(1), 1);   // padding rows differ by design
            double err = relErr(mixed.mul(m3), alone.mul(m3));
            assertTrue(err < 1e-6, "row " + i + " (" + names.get(i) + "): hidden rel err " + err);
            double perr = relErr(row(mixedPooled, i), m.pooled(ri, rm, rt));
            assertTrue(perr < 1e-6, "row " + i + " (" + names.get(i) + "): pooled rel err " + perr);
        }
        // the base row equals a model with no adapter at all
        PeftModel base = PeftModel.of(bert);
        INDArray baseRow = base.pooled(row(ids(), 1), row(mask(), 1), row(types(), 1));
        assertTrue(relErr(row(mixedPooled, 1), baseRow) < 1e-6, "row with no adapter = the base model");
        // and each adapter's rows really differ from the base (the test would pass trivially otherwise)
        assertTrue(relErr(row(mixedPooled, 0), base.pooled(row(ids(), 0), row(mask(), 0), row(types(), 0))) > 1e-3);
    }

    @Test
    void mixedProbabilitiesEqualTheSingleAdapterOnes() {
        PeftModel m = fourAdapters();
        List<String> names = List.of("mh", "lora", "mh", "hora", "lora-ffn", "lora");
        INDArray mixed = m.predictProba(ids(), mask(), types(), names);
        for (String a : List.of("lora", "mh", "hora", "lora-ffn")) {
            m.setActiveAdapter(a);
            INDArray all = m.predictProba(ids(), mask(), types());
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).equals(a)) {
                    double err = relErr(row(mixed, i), row(all, i));
                    assertTrue(err < 1e-6, a + " row " + i + ": " + err);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> m.predictProba(ids(), mask(), types(),
                Arrays.asList("lora", null, "lora", "lora", "lora", "lora")), "the base has no head");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.pooled(ids(), mask(), types(),
                List.of("lora", "nope", "lora", "lora", "lora", "lora")));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("lora"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.pooled(ids(), mask(), types(), List.of("lora")));
    }

    @Test
    void trainingOneAdapterLeavesTheOthersUntouchedAndInferenceSeesTheSteps() {
        PeftModel m = fourAdapters();
        Map<String, Map<String, INDArray>> before = new HashMap<>();
        for (String n : m.adapterNames()) {
            Map<String, INDArray> v = new HashMap<>();
            m.adapter(n).parameters().forEach((k, a) -> v.put(k, a.dup()));
            before.put(n, v);
        }
        m.setActiveAdapter("mh");
        INDArray mhBefore = m.predictProba(ids(), mask(), types());     // fills the cache
        INDArray loraBefore = m.predictProba(ids(), mask(), types(), List.of("lora", "lora", "lora", "lora", "lora", "lora"));
        Map<String, INDArray> feed = new HashMap<>(feeds);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 6, 3);
        for (int i = 0; i < 6; i++) {
            labels.putScalar(i, i % 3, 1);
        }
        feed.put(ClassifierHead.LABELS, labels);
        Trainer t = m.trainer(Trainer.builder().adam(1e-2, 0, 100)).build();
        for (int i = 0; i < 3; i++) {
            t.step(feed);
        }
        for (String n : m.adapterNames()) {
            boolean changed = m.adapter(n).parameters().entrySet().stream()
                    .anyMatch(e -> !e.getValue().equals(before.get(n).get(e.getKey())));
            assertEquals(n.equals("mh"), changed, n + (n.equals("mh") ? " trained" : " untouched"));
        }
        assertTrue(relErr(m.predictProba(ids(), mask(), types()), mhBefore) > 1e-4, "inference sees the trained adapter");
        assertEquals(loraBefore, m.predictProba(ids(), mask(), types(), List.of("lora", "lora", "lora", "lora", "lora", "lora")));
    }

    @Test
    void cachedFactorsFollowDirectWritesToTheParameters() {
        PeftModel m = fourAdapters();
        m.setActiveAdapter("hora");
        INDArray first = m.pooled(ids(), mask(), types());
        assertEquals(first, m.pooled(ids(), mask(), types()), "cached: the same");
        m.adapter("hora").layerParams().get(1).values().iterator().next().addi(0.5);
        INDArray second = m.pooled(ids(), mask(), types());
        assertTrue(relErr(second, first) > 1e-4, "a direct write to a live array is seen");
    }

    @Test
    void aFrozenAdapterServesItsFactorsAndRefusesTraining() {
        PeftModel m = fourAdapters();
        m.setActiveAdapter("hora");
        INDArray first = m.pooled(ids(), mask(), types());
        AdapterSet hora = m.adapter("hora").freeze();
        assertTrue(hora.frozen());
        assertEquals(first, m.pooled(ids(), mask(), types()), "freezing keeps the values");
        hora.layerParams().get(1).values().iterator().next().addi(0.5);
        assertEquals(first, m.pooled(ids(), mask(), types()), "frozen: the parameters are not read again");
        assertThrows(IllegalStateException.class, () -> hora.setTrainable(hora.trainable()));
        assertThrows(IllegalStateException.class, () -> m.objective("hora"));
        assertNotNull(m.objective("lora"), "the other adapters still train");
    }

    @Test
    void addDeleteAndActivate() {
        PeftModel m = fourAdapters();
        assertEquals(List.of("lora", "mh", "hora", "lora-ffn"), m.adapterNames());
        assertEquals("lora", m.activeAdapter(), "the first added becomes active");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.addAdapter("mh",
                AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).targets(Target.Q).build(), null, Pooling.MEAN, 2, 1));
        assertTrue(e.getMessage().contains("'mh' exists"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.setActiveAdapter("none-such"));
        m.setActiveAdapter(null);
        INDArray base = m.pooled(ids(), mask(), types());
        assertEquals(PeftModel.of(bert).pooled(ids(), mask(), types()), base, "adapters disabled: the base model");
        m.setActiveAdapter("hora");
        m.deleteAdapter("hora");
        assertEquals(null, m.activeAdapter());
        assertEquals(List.of("lora", "mh", "lora-ffn"), m.adapterNames());
        assertThrows(IllegalArgumentException.class, () -> m.adapter("hora"));
        assertThrows(IllegalArgumentException.class, () -> m.addAdapter("bad/name", null, null, Pooling.MEAN, 2, 1));
    }

    @Test
    void mergeThenUnmergeRestoresTheWeightsAndKeepsTheOutputs() {
        PeftModel m = fourAdapters();
        m.setActiveAdapter("hora");
        INDArray adapted = m.predictProba(ids(), mask(), types());
        PeftModel merged = m.mergeAdapter("hora");
        assertEquals(List.of("hora"), merged.adapterNames());
        assertTrue(merged.adapter("hora").layers().isEmpty(), "only the head is left");
        double err = adapted.sub(merged.predictProba(ids(), mask(), types())).amaxNumber().doubleValue();
        assertTrue(err < 1e-5, "merged vs adapted probabilities: " + err);
        PeftModel back = merged.unmergeAdapter();
        double worst = 0;
        int changed = 0;
        for (Map.Entry<String, INDArray> e : m.backbone().weights().entrySet()) {
            INDArray w = e.getValue();
            INDArray mw = merged.backbone().weights().get(e.getKey());
            if (!mw.equals(w)) {
                changed++;
            }
            worst = Math.max(worst, back.backbone().weights().get(e.getKey()).sub(w).amaxNumber().doubleValue());
        }
        assertEquals(6 * bert.config().numLayers(), changed, "merge changed exactly the adapted weights");
        assertTrue(worst < 1e-6, "unmerge restores every weight: " + worst);
        assertTrue(relErr(back.predictProba(ids(), mask(), types()), adapted) < 1e-5);
    }

    @Test
    void concurrentPredictionsOverFourAdaptersAreBitIdentical() throws Exception {
        PeftModel m = fourAdapters();
        List<String> names = List.of("lora", "mh", "hora", "lora-ffn");
        Map<String, INDArray> single = new HashMap<>();
        for (String n : names) {
            single.put(n, m.predictProba(ids(), mask(), types(), List.of(n, n, n, n, n, n)));
        }
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger checked = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 8; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 12; i++) {
                        String n = names.get((id + i) % names.size());
                        INDArray p = m.predictProba(ids(), mask(), types(), List.of(n, n, n, n, n, n));
                        if (!Arrays.equals(p.dup('c').data().asFloat(), single.get(n).dup('c').data().asFloat())) {
                            throw new AssertionError("thread " + id + " iteration " + i + " (" + n + ") differs");
                        }
                        checked.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.get(0).toString());
        assertEquals(96, checked.get());
    }

    @Test
    void sameNumbersOnTheSameDiffReferenceEngine() {
        PeftModel k = fourAdapters();
        PeftModel s = PeftModel.builder(bert).engine(dev.hora.peft.Engine.SAMEDIFF).numClasses(3).pooling(Pooling.CLS)
                .adapter(k.adapter("mh").config()).name("mh").seed(2).build();
        s.adapter("mh").setTrainable(k.adapter("mh").parameters());
        List<String> names = List.of("mh", "mh", "mh", "mh", "mh", "mh");
        double err = relErr(k.predictProba(ids(), mask(), types(), names), s.predictProba(ids(), mask(), types(), names));
        assertTrue(err < 1e-4, "kernels vs SameDiff: " + err);
        assertNotEquals(0.0, k.adapter("mh").deltaW().values().iterator().next().norm2Number().doubleValue());
    }
}
