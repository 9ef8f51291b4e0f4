package dev.hora.io.peft;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.SafetensorsFormatException;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Numbers, nulls, text encoding and dtypes of an adapter folder are checked, each error naming the file and field. */
class AdapterFolderTrustTest {
    private static Path write(Path dir, AdapterKind kind) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(2).targets(Target.Q, Target.V).build();
        AdapterFolder.write(dir, cfg, null, Fixtures.layers(Fixtures.adapter(cfg), 0, 1), 2);
        return dir;
    }

    private static void expect(Path dir, String file, String... parts) {
        IOException e = assertThrows(IOException.class, () -> AdapterFolder.read(dir));
        assertTrue(e.getMessage().contains(dir.resolve(file).toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    private static void editConfig(Path dir, String from, String to) throws IOException {
        Path f = dir.resolve(AdapterFolder.CONFIG_FILE);
        String s = Files.readString(f);
        assertTrue(s.contains(from), s);
        Files.writeString(f, s.replace(from, to));
    }

    private static void editTensors(Path dir, java.util.function.Consumer<Map<String, INDArray>> edit,
                                    Map<String, String> meta) throws Exception {
        Path f = dir.resolve(AdapterFolder.MODEL_FILE);
        SafetensorsReader.Content c = SafetensorsReader.read(f);
        Map<String, INDArray> t = new HashMap<>(c.tensors());
        edit.accept(t);
        SafetensorsWriter.write(f, t, meta == null ? c.metadata() : meta);
    }

    @Test
    void nullKind(@TempDir Path dir) throws Exception {
        Path f = write(dir, AdapterKind.HORA).resolve(AdapterFolder.CONFIG_FILE);
        Files.writeString(f, Files.readString(f).replaceFirst("\"kind\" : \"[^\"]+\"", "\"kind\" : null"));
        expect(dir, AdapterFolder.CONFIG_FILE, "key 'kind' is null");
    }

    @Test
    void invalidUtf8(@TempDir Path dir) throws Exception {
        Path f = write(dir, AdapterKind.HORA).resolve(AdapterFolder.CONFIG_FILE);
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] = (byte) 0xfe;
        Files.write(f, b);
        expect(dir, AdapterFolder.CONFIG_FILE, "not valid UTF-8");
    }

    @Test
    void layerIndicesThatAreNotIntegers(@TempDir Path dir) throws Exception {
        editConfig(write(dir, AdapterKind.HORA), "\"layers_to_transform\" : [ 0, 1 ]", "\"layers_to_transform\" : [ 0, \"1\" ]");
        expect(dir, AdapterFolder.CONFIG_FILE, "layers_to_transform", "\"1\"", "non-negative integers");
        Path lora = write(dir.resolve("lora"), AdapterKind.LORA);
        editTensors(lora, t -> t.put("base_model.model.encoder.layer.99999999999.attention.self.query.lora_A.weight",
                t.get("base_model.model.encoder.layer.0.attention.self.query.lora_A.weight")), null);
        expect(lora, AdapterFolder.MODEL_FILE, "layer index", "'99999999999' is not an integer");
    }

    @Test
    void numLayersMetadataThatIsNotANumber(@TempDir Path dir) throws Exception {
        Path lora = write(dir, AdapterKind.LORA);
        Map<String, String> meta = new HashMap<>(SafetensorsReader.read(lora.resolve(AdapterFolder.MODEL_FILE)).metadata());
        meta.put(PeftLoraFormat.META_LAYERS, "two");
        editTensors(lora, t -> { }, meta);
        expect(lora, AdapterFolder.MODEL_FILE, "metadata 'hora.num_layers' = 'two'");
    }

    @Test
    void relabelledOrNonFiniteTensors(@TempDir Path dir) throws Exception {
        Path hora = write(dir.resolve("a"), AdapterKind.HORA);
        String key = SafetensorsReader.read(hora.resolve(AdapterFolder.MODEL_FILE)).tensors().keySet().iterator().next();
        editTensors(hora, t -> t.put(key, t.get(key).castTo(DataType.INT)), null);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> AdapterFolder.read(hora));
        assertTrue(e.getMessage().contains("'" + key + "' has dtype I32, expected F32"), e.getMessage());
        Path nan = write(dir.resolve("b"), AdapterKind.HORA);
        editTensors(nan, t -> t.put(key, t.get(key).dup().putScalar(0, Float.NaN)), null);
        expect(nan, AdapterFolder.MODEL_FILE, "'" + key + "' holds NaN");
    }

    @Test
    void projectionSizesMustBeIntegers(@TempDir Path dir) throws Exception {
        Path hora = write(dir, AdapterKind.HORA);
        String s = Files.readString(hora.resolve(AdapterFolder.CONFIG_FILE), StandardCharsets.UTF_8);
        Files.writeString(hora.resolve(AdapterFolder.CONFIG_FILE), s.replaceFirst("\"d_in\" : \\d+", "\"d_in\" : \"8\""));
        expect(hora, AdapterFolder.CONFIG_FILE, "key 'd_in'", "expected integer");
    }
}
