package dev.hora.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** 100 LoRA adapters on one all-MiniLM-L6-v2 backbone, and adapter folders loaded by name. */
class ManyAdaptersMiniLmTest {
    private static ImportedBert bert;
    private static Map<String, INDArray> feeds;

    @BeforeAll
    static void load() {
        bert = TestModels.miniLm();
        feeds = TestModels.miniLmFeeds(TestModels.sentences());
    }

    /** Every array an adapter holds, by identity. */
    private static Set<INDArray> arrays(PeftModel m) {
        Set<INDArray> s = Collections.newSetFromMap(new IdentityHashMap<>());
        for (String n : m.adapterNames()) {
            s.addAll(m.adapter(n).parameters().values());
        }
        return s;
    }

    @Test
    void hundredLoraAdaptersHoldTheirParametersAndNoBackboneCopy() {
        AdapterConfig lora = AdapterConfig.builder().kind(AdapterKind.LORA).rank(8).alpha(16)
                .targets(Target.Q, Target.V).build();
        PeftModel m = PeftModel.of(bert);
        for (int i = 0; i < 100; i++) {
            m.addAdapter("a" + i, lora.toBuilder().seed(i).build(), null, Pooling.MEAN, 2, i);
        }
        // what one adapter is: r (d_in + d_out) per target x 2 targets x 6 layers, + the head d n + n
        long perAdapter = (8L * (384 + 384) * 2 * 6 + 384 * 2 + 2) * 4;
        assertEquals(100 * perAdapter, m.adapterBytes(), "100 adapters hold exactly their parameters");
        Set<INDArray> held = arrays(m);
        assertEquals(100 * (2 * 2 * 6 + 2), held.size(), "arrays held: A and B per target and layer, and the head");
        for (INDArray a : held) {
            assertTrue(a.length() <= 384L * 8 * 2, "no adapter array is backbone-sized: " + a.shapeInfoToString());
        }
        for (INDArray w : bert.weights().values()) {
            assertTrue(!held.contains(w), "the backbone's arrays are not the adapters'");
        }
        assertSame(bert.weights().get("encoder.layer.0.attention.self.query.weight"),
                m.backbone().weights().get("encoder.layer.0.attention.self.query.weight"), "one backbone, shared");
        // inference on any of them leaves a cache of its factors only
        m.setActiveAdapter("a57");
        m.pooled(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK), feeds.get(BertEncoder.TOKEN_TYPE_IDS));
        long cache = (8L * (384 + 384) * 2 * 6) * 4;
        assertEquals(100 * perAdapter + cache, m.adapterBytes(), "plus one adapter's cached factors");
        for (int i = 0; i < 100; i++) {
            m.deleteAdapter("a" + i);
        }
        assertEquals(0, m.adapterBytes(), "delete lets every array go");
        assertTrue(m.adapterNames().isEmpty());
    }

    @Test
    void anAdapterFolderLoadsByNameBesideOthers(@TempDir Path dir) throws Exception {
        PeftModel m = PeftModel.of(bert);
        List<String> names = new ArrayList<>();
        for (AdapterKind kind : AdapterKind.values()) {
            String n = kind.cliName();
            AdapterSet a = m.addAdapter(n, AdapterConfig.builder().kind(kind).rank(4).targets(Target.Q, Target.V,
                    Target.FFN_IN).build(), null, Pooling.CLS, 3, 7);
            a.parameters().forEach((p, v) -> v.addi(org.nd4j.linalg.factory.Nd4j.randn(p.hashCode(), v.shape())
                    .castTo(v.dataType()).muli(0.02)));
            m.saveAdapter(n, dir.resolve(n), "sentence-transformers/all-MiniLM-L6-v2", List.of("x", "y", "z"), 64);
            names.add(n);
        }
        for (String n : names) {
            m.loadAdapter(n + "-loaded", dir.resolve(n));
            m.setActiveAdapter(n);
            INDArray want = m.predictProba(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK),
                    feeds.get(BertEncoder.TOKEN_TYPE_IDS));
            m.setActiveAdapter(n + "-loaded");
            INDArray got = m.predictProba(feeds.get(BertEncoder.INPUT_IDS), feeds.get(BertEncoder.ATTENTION_MASK),
                    feeds.get(BertEncoder.TOKEN_TYPE_IDS));
            assertEquals(Pooling.CLS, m.adapter(n + "-loaded").pooling());
            assertTrue(got.sub(want).amaxNumber().doubleValue() < 1e-6, n + ": loaded = saved");
        }
        assertEquals(6, m.adapterNames().size());
    }
}
