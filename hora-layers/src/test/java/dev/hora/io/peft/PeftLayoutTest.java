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
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The LoRA folder is exactly PEFT's layout for a Hugging Face BERT model, and PEFT's math gives our dW. */
class PeftLayoutTest {
    private static final String L = "base_model.model.encoder.layer.";

    private static AdapterConfig qv(boolean rs) {
        return AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).alpha(6).rsLora(rs).targets(Target.Q, Target.V).build();
    }

    @Test
    void keysShapesAndConfigArePefts(@TempDir Path dir) throws Exception {
        Adapter a = Fixtures.adapter(qv(false));
        AdapterFolder.write(dir, qv(false), "bert-tiny", Fixtures.layers(a, 0, 1), Map.of(), 2);

        SafetensorsReader.Content c = SafetensorsReader.read(dir.resolve("adapter_model.safetensors"));
        Map<String, long[]> want = new TreeMap<>();
        for (int i = 0; i < 2; i++) {
            for (String m : new String[]{"query", "value"}) {
                want.put(L + i + ".attention.self." + m + ".lora_A.weight", new long[]{2, Fixtures.D});   // [r, in]
                want.put(L + i + ".attention.self." + m + ".lora_B.weight", new long[]{Fixtures.D, 2});   // [out, r]
            }
        }
        assertEquals(want.keySet(), c.tensors().keySet());
        want.forEach((k, s) -> assertArrayEquals(s, c.tensors().get(k).shape(), k));
        assertEquals("pt", c.metadata().get("format"));

        JsonNode j = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("LORA", j.get("peft_type").asText());
        assertEquals(2, j.get("r").asInt());
        assertTrue(j.get("r").isInt() && j.get("lora_alpha").isIntegralNumber());
        assertEquals(6, j.get("lora_alpha").asInt());
        assertEquals(0.0, j.get("lora_dropout").asDouble());
        assertEquals("[\"query\",\"value\"]", j.get("target_modules").toString());
        assertTrue(j.get("layers_to_transform").isNull());
        assertTrue(j.get("modules_to_save").isNull() && j.get("task_type").isNull());
        assertEquals("none", j.get("bias").asText());
        assertEquals(false, j.get("use_rslora").asBoolean());
        assertEquals(false, j.get("fan_in_fan_out").asBoolean());
        assertEquals(true, j.get("inference_mode").asBoolean());
        assertEquals("bert-tiny", j.get("base_model_name_or_path").asText());
    }

    @Test
    void headUsesSequenceClassificationPaths(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = qv(false).toBuilder().targets(Target.O).build();
        Adapter a = Fixtures.adapter(cfg);
        AdapterFolder.write(dir, cfg, "m", Fixtures.layers(a, 1), Fixtures.loraHead(), 2);
        SafetensorsReader.Content c = SafetensorsReader.read(dir.resolve("adapter_model.safetensors"));
        String p = "base_model.model.bert.encoder.layer.1.attention.output.dense.";
        assertEquals(new java.util.TreeSet<>(java.util.List.of(p + "lora_A.weight", p + "lora_B.weight",
                "base_model.model.classifier.weight", "base_model.model.classifier.bias")), c.tensors().keySet());
        assertArrayEquals(new long[]{Fixtures.CLASSES, Fixtures.D}, c.tensors().get("base_model.model.classifier.weight").shape());
        assertArrayEquals(new long[]{Fixtures.CLASSES}, c.tensors().get("base_model.model.classifier.bias").shape());
        JsonNode j = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("[\"attention.output.dense\"]", j.get("target_modules").toString());
        assertEquals("[\"classifier\"]", j.get("modules_to_save").toString());
        assertEquals("SEQ_CLS", j.get("task_type").asText());
        assertEquals("[1]", j.get("layers_to_transform").toString());
    }

    /** dW = scaling * (lora_B.weight @ lora_A.weight)^T in plain Java loops, from the file's tensors. */
    @Test
    void peftMathOnTheFileGivesOurDeltaW(@TempDir Path dir) throws Exception {
        for (boolean rs : new boolean[]{false, true}) {
            AdapterConfig cfg = qv(rs);
            Adapter a = Fixtures.adapter(cfg);
            Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(a, 0, 1);
            Path d = dir.resolve("rs" + rs);
            AdapterFolder.write(d, cfg, null, layers, Map.of(), 2);
            Map<String, INDArray> t = SafetensorsReader.read(d.resolve("adapter_model.safetensors")).tensors();
            JsonNode j = new ObjectMapper().readTree(d.resolve("adapter_config.json").toFile());
            int r = j.get("r").asInt();
            double alpha = j.get("lora_alpha").asDouble();
            double scaling = j.get("use_rslora").asBoolean() ? alpha / Math.sqrt(r) : alpha / r;
            for (int i = 0; i < 2; i++) {
                for (Target tg : cfg.getTargets()) {
                    String p = L + i + ".attention.self." + tg.moduleName();
                    INDArray la = t.get(p + ".lora_A.weight");      // [r, in]
                    INDArray lb = t.get(p + ".lora_B.weight");      // [out, r]
                    INDArray ours = Adapters.deltaW(a, layers.get(i), tg).castTo(DataType.DOUBLE);   // [in, out]
                    for (int in = 0; in < Fixtures.D; in++) {
                        for (int out = 0; out < Fixtures.D; out++) {
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
