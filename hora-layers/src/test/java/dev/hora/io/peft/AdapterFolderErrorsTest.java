package dev.hora.io.peft;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.adapter.Adapter;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Bad folders give errors that name the file and the problem; bad input to write names layer and parameter. */
class AdapterFolderErrorsTest {
    private static final String QA = "base_model.model.encoder.layer.0.attention.self.query.lora_A.weight";

    private static Path lora(Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).targets(Target.Q, Target.V).build();
        AdapterFolder.write(dir, cfg, null, Fixtures.layers(Fixtures.adapter(cfg), 0, 1), 2);
        return dir;
    }

    private static void expect(Path dir, String file, String... parts) {
        AdapterFolderException e = assertThrows(AdapterFolderException.class, () -> AdapterFolder.read(dir));
        assertTrue(e.file().getFileName().toString().equals(file), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    private static void rewrite(Path dir, java.util.function.Consumer<Map<String, INDArray>> edit) throws Exception {
        Path f = dir.resolve(AdapterFolder.MODEL_FILE);
        SafetensorsReader.Content c = SafetensorsReader.read(f);
        Map<String, INDArray> t = new HashMap<>(c.tensors());
        edit.accept(t);
        SafetensorsWriter.write(f, t, c.metadata());
    }

    @Test
    void missingFiles(@TempDir Path dir) throws Exception {
        expect(dir, "adapter_config.json", "file not found");
        lora(dir);
        Files.delete(dir.resolve(AdapterFolder.MODEL_FILE));
        expect(dir, "adapter_model.safetensors", "file not found");
    }

    @Test
    void badJsonAndBadKeys(@TempDir Path dir) throws Exception {
        lora(dir);
        Path cf = dir.resolve(AdapterFolder.CONFIG_FILE);
        String good = Files.readString(cf);
        Files.writeString(cf, "{\"peft_type\": \"LORA\", ");
        expect(dir, "adapter_config.json", "invalid JSON");
        Files.writeString(cf, good.replace("\"LORA\"", "\"IA3\""));
        expect(dir, "adapter_config.json", "peft_type 'IA3'");
        Files.writeString(cf, good.replace("\"r\" : 2,", ""));
        expect(dir, "adapter_config.json", "missing key 'r'");
        Files.writeString(cf, good.replace("\"query\"", "\"q_proj\""));
        expect(dir, "adapter_model.safetensors", "unexpected tensor", "attention.self.query", "do not select");
    }

    @Test
    void missingWrongAndUnexpectedTensors(@TempDir Path dir) throws Exception {
        lora(dir);
        rewrite(dir, t -> t.remove(QA));
        expect(dir, "adapter_model.safetensors", "missing tensor '" + QA + "'");

        lora(dir);
        rewrite(dir, t -> t.put(QA, Nd4j.zeros(DataType.FLOAT, 3, Fixtures.D)));
        expect(dir, "adapter_model.safetensors", QA, "[3, 8]", "expected [2, 8]");

        lora(dir);
        rewrite(dir, t -> t.put("base_model.model.encoder.layer.0.attention.self.key.lora_A.weight",
                Nd4j.zeros(DataType.FLOAT, 2, Fixtures.D)));
        expect(dir, "adapter_model.safetensors", "unexpected tensor", "self.key.lora_A");
    }

    @Test
    void ownFormatNamesTheTensor(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(2).targets(Target.V).build();
        AdapterFolder.write(dir, cfg, null, Fixtures.layers(Fixtures.adapter(cfg), 0), 1);
        rewrite(dir, t -> t.put("hora.layer.0.vW2B", Nd4j.zeros(DataType.FLOAT, 5, 4)));
        expect(dir, "adapter_model.safetensors", "tensor 'hora.layer.0.vW2B'", "[5, 4]");
        rewrite(dir, t -> t.remove("hora.layer.0.W1"));
        expect(dir, "adapter_model.safetensors", "missing", "'hora.layer.0.W1'");

        Path cf = dir.resolve(AdapterFolder.CONFIG_FILE);
        Files.writeString(cf, Files.readString(cf).replace("\"seed\"", "\"sead\""));
        expect(dir, "adapter_config.json", "sead");
    }

    @Test
    void writeRejectsParamsThatDoNotFitTheConfig(@TempDir Path dir) {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.MH_LORA).rank(2).targets(Target.Q).build();
        Adapter a = Fixtures.adapter(cfg);
        Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(a, 0, 1);
        Map<String, INDArray> l1 = new LinkedHashMap<>(layers.get(1));
        l1.put("qB", Nd4j.zeros(DataType.FLOAT, Fixtures.HEADS, 3, 4));
        layers.put(1, l1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterFolder.write(dir, cfg, null, layers, 2));
        assertTrue(e.getMessage().contains("layer 1") && e.getMessage().contains("qB"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class,
                () -> AdapterFolder.write(dir, cfg, null, Fixtures.layers(a, 5), 2));
        assertTrue(e.getMessage().contains("layer index 5"), e.getMessage());
    }
}
