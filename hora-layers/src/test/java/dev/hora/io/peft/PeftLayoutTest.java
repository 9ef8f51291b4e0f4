package dev.hora.io.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hora.adapter.Adapter;
import dev.hora.adapter.Adapters;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The LoRA folder against PEFT's layout for a Hugging Face BertModel, as fixtures written by hand
 * from PEFT's documentation ({@code src/test/resources/peft}), and PEFT's math on the file's tensors.
 */
class PeftLayoutTest {
    private static final String L = "base_model.model.encoder.layer.";
    private static final List<Target> ALL = List.of(Target.values());

    /** key -> shape, from the fixture file. */
    static Map<String, long[]> fixtureKeys() throws Exception {
        Map<String, long[]> m = new TreeMap<>();
        try (InputStream in = PeftLayoutTest.class.getResourceAsStream("/peft/bert-all-targets-r2.keys")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    String[] p = line.split(" ");
                    m.put(p[0], Arrays.stream(p[1].split(",")).mapToLong(Long::parseLong).toArray());
                }
            }
        }
        return m;
    }

    private static AdapterConfig lora(Target... t) {
        return AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).alpha(4).targets(t).build();
    }

    @Test
    void everyTargetHasPeftsKeyAndShape(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = lora(Target.values());
        AdapterFolder.write(dir, cfg, "sentence-transformers/all-MiniLM-L6-v2",
                Fixtures.layers(Fixtures.adapter(cfg), 0, 1), 2);
        SafetensorsReader.Content c = SafetensorsReader.read(dir.resolve(AdapterFolder.MODEL_FILE));
        Map<String, long[]> want = fixtureKeys();
        assertEquals(want.keySet(), c.tensors().keySet());
        want.forEach((k, s) -> assertArrayEquals(s, c.tensors().get(k).shape(), k));
        assertEquals("pt", c.metadata().get("format"));

        ObjectMapper om = new ObjectMapper();
        JsonNode j = om.readTree(dir.resolve(AdapterFolder.CONFIG_FILE).toFile());
        JsonNode f = om.readTree(PeftLayoutTest.class.getResourceAsStream("/peft/bert-all-targets-r2.adapter_config.json"));
        for (String k : List.of("peft_type", "task_type", "r", "lora_alpha", "bias", "use_dora", "use_rslora",
                "fan_in_fan_out", "modules_to_save", "layers_to_transform", "layers_pattern", "base_model_name_or_path",
                "lora_bias", "rank_pattern", "alpha_pattern")) {
            assertEquals(f.get(k), j.get(k), k);
        }
        Set<String> tm = new HashSet<>();
        j.get("target_modules").forEach(n -> tm.add(n.asText()));
        Set<String> ft = new HashSet<>();
        f.get("target_modules").forEach(n -> ft.add(n.asText()));
        assertEquals(ft, tm);
    }

    @Test
    void readsTheFixtureAsPeftWroteIt(@TempDir Path dir) throws Exception {
        Map<String, INDArray> t = new TreeMap<>();
        fixtureKeys().forEach((k, s) -> t.put(k, dev.hora.adapter.Inits.uniform(new SplittableRandom(k.hashCode()), 1.0,
                DataType.FLOAT, s)));
        SafetensorsWriter.write(dir.resolve(AdapterFolder.MODEL_FILE), t, Map.of("format", "pt"));
        try (InputStream in = PeftLayoutTest.class.getResourceAsStream("/peft/bert-all-targets-r2.adapter_config.json")) {
            Files.write(dir.resolve(AdapterFolder.CONFIG_FILE), in.readAllBytes());
        }
        SavedAdapter s = AdapterFolder.read(dir);
        assertEquals(ALL, s.config().getTargets());
        assertEquals(2, s.config().getRank());
        assertEquals(4.0, s.config().getAlpha());
        assertEquals(2, s.numLayers());
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", s.baseModel());
        assertEquals(Fixtures.FF, s.projections().get(Target.FFN_IN).dOut());
        assertEquals(Fixtures.FF, s.projections().get(Target.FFN_OUT).dIn());
        INDArray fileB = t.get(L + "1.output.dense.lora_B.weight");   // [out, r]
        assertEquals(fileB.transpose(), s.layers().get(1).get("fB"));
    }

    /** FFN_OUT without O cannot be a list entry ("output.dense" also matches attention.output.dense). */
    @Test
    void feedForwardOutputAloneIsARegexPeftAccepts(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = lora(Target.Q, Target.FFN_OUT);
        AdapterFolder.write(dir, cfg, "m.onnx", Fixtures.layers(Fixtures.adapter(cfg), 0, 2), 3);
        JsonNode j = new ObjectMapper().readTree(dir.resolve(AdapterFolder.CONFIG_FILE).toFile());
        String regex = j.get("target_modules").asText();
        assertTrue(j.get("layers_to_transform").isNull() && j.get("layers_pattern").isNull(),
                "PEFT refuses layers_to_transform / layers_pattern with a regex");
        Set<String> matched = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value",
                    "attention.output.dense", "intermediate.dense", "output.dense")) {
                String key = "encoder.layer." + i + "." + m;
                if (key.matches(regex)) {   // PEFT: re.fullmatch(target_modules, key)
                    matched.add(key);
                }
            }
        }
        assertEquals(Set.of("encoder.layer.0.attention.self.query", "encoder.layer.0.output.dense",
                "encoder.layer.2.attention.self.query", "encoder.layer.2.output.dense"), matched);
        SavedAdapter s = AdapterFolder.read(dir);
        assertEquals(List.of(Target.Q, Target.FFN_OUT), s.config().getTargets());
        assertEquals(Set.of(0, 2), s.layers().keySet());
    }

    @Test
    void layerSubsetUsesLayersToTransform(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = lora(Target.O, Target.FFN_IN);
        AdapterFolder.write(dir, cfg, "m", Fixtures.layers(Fixtures.adapter(cfg), 1), 2);
        JsonNode j = new ObjectMapper().readTree(dir.resolve(AdapterFolder.CONFIG_FILE).toFile());
        assertEquals("[\"attention.output.dense\",\"intermediate.dense\"]", j.get("target_modules").toString());
        assertEquals("[1]", j.get("layers_to_transform").toString());
        assertEquals("layer", j.get("layers_pattern").asText());
        assertEquals(Set.of(L + "1.attention.output.dense.lora_A.weight", L + "1.attention.output.dense.lora_B.weight",
                L + "1.intermediate.dense.lora_A.weight", L + "1.intermediate.dense.lora_B.weight"),
                SafetensorsReader.read(dir.resolve(AdapterFolder.MODEL_FILE)).tensors().keySet());
    }

    /** dW = scaling * (lora_B.weight @ lora_A.weight)^T in plain Java loops, from the file's tensors. */
    @Test
    void peftMathOnTheFileGivesOurDeltaW(@TempDir Path dir) throws Exception {
        for (boolean rs : new boolean[]{false, true}) {
            AdapterConfig cfg = lora(Target.values()).toBuilder().rsLora(rs).alpha(6).build();
            Adapter a = Fixtures.adapter(cfg);
            Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(a, 0, 1);
            Path d = dir.resolve("rs" + rs);
            AdapterFolder.write(d, cfg, null, layers, 2);
            Map<String, INDArray> t = SafetensorsReader.read(d.resolve(AdapterFolder.MODEL_FILE)).tensors();
            JsonNode j = new ObjectMapper().readTree(d.resolve(AdapterFolder.CONFIG_FILE).toFile());
            int r = j.get("r").asInt();
            double alpha = j.get("lora_alpha").asDouble();
            double scaling = j.get("use_rslora").asBoolean() ? alpha / Math.sqrt(r) : alpha / r;
            String[] paths = {"attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense", "intermediate.dense", "output.dense"};
            for (int i = 0; i < 2; i++) {
                for (Target tg : cfg.getTargets()) {
                    String p = L + i + "." + paths[tg.ordinal()];
                    INDArray la = t.get(p + ".lora_A.weight");      // [r, in]
                    INDArray lb = t.get(p + ".lora_B.weight");      // [out, r]
                    INDArray ours = Adapters.deltaW(a, layers.get(i), tg).castTo(DataType.DOUBLE);   // [in, out]
                    assertArrayEquals(new long[]{la.size(1), lb.size(0)}, ours.shape(), p);
                    for (int in = 0; in < la.size(1); in++) {
                        for (int out = 0; out < lb.size(0); out++) {
                            double s = 0;
                            for (int k = 0; k < r; k++) {
                                s += lb.getDouble(out, k) * la.getDouble(k, in);
                            }
                            assertEquals(scaling * s, ours.getDouble(in, out), 1e-5,
                                    "rs=" + rs + " layer " + i + " " + tg + " [" + in + "," + out + "]");
                        }
                    }
                }
            }
        }
    }
}
