package dev.hora.io.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.SafetensorsReader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** PEFT folders this library did not write: patterns, half precision, options it cannot apply. */
class PeftReadingTest {
    private static final ObjectMapper OM = new ObjectMapper();

    private static Path lora(Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).alpha(4).targets(Target.Q, Target.V).build();
        AdapterFolder.write(dir, cfg, null, Fixtures.layers(Fixtures.adapter(cfg), 0, 1), 2);
        return dir;
    }

    private static void editConfig(Path dir, Consumer<ObjectNode> edit) throws Exception {
        Path cf = dir.resolve(AdapterFolder.CONFIG_FILE);
        ObjectNode o = (ObjectNode) OM.readTree(cf.toFile());
        edit.accept(o);
        Files.writeString(cf, OM.writeValueAsString(o));
    }

    private static String refusal(Path dir) {
        AdapterFolderException e = assertThrows(AdapterFolderException.class, () -> AdapterFolder.read(dir));
        assertEquals(AdapterFolder.CONFIG_FILE, e.file().getFileName().toString(), e.getMessage());
        return e.getMessage();
    }

    @Test
    void uniformPatternsAreHonoured(@TempDir Path dir) throws Exception {
        editConfig(lora(dir), o -> {
            o.put("r", 16);
            o.put("lora_alpha", 99);
            o.putObject("rank_pattern").put("query", 2).put("value", 2);
            o.putObject("alpha_pattern").put("layer\\.\\d+\\.attention\\.self\\.(query|value)", 4);
        });
        SavedAdapter s = AdapterFolder.read(dir);
        assertEquals(2, s.config().getRank());
        assertEquals(4.0, s.config().getAlpha());
    }

    @Test
    void perModuleScalesAreRefusedByName(@TempDir Path dir) throws Exception {
        editConfig(lora(dir), o -> o.putObject("alpha_pattern").put("value", 8));
        String m = refusal(dir);
        assertTrue(m.contains("alpha_pattern") && m.contains("encoder.layer.0.attention.self.value")
                && m.contains("alpha = 8.0") && m.contains("alpha = 4.0"), m);
    }

    @Test
    void unsupportedOptionsAreNamed(@TempDir Path dir) throws Exception {
        editConfig(lora(dir), o -> {
            o.put("use_dora", true);
            o.put("bias", "lora_only");
            o.putArray("modules_to_save").add("classifier");
        });
        String m = refusal(dir);
        assertTrue(m.contains("use_dora = true") && m.contains("DoRA"), m);
        assertTrue(m.contains("bias = \"lora_only\""), m);
        assertTrue(m.contains("modules_to_save = [\"classifier\"]"), m);
        editConfig(dir, o -> {
            o.put("use_dora", false);
            o.put("bias", "none");
            o.putNull("modules_to_save");
            o.put("peft_type", "ADALORA");
        });
        m = refusal(dir);
        assertTrue(m.contains("peft_type 'ADALORA' is not supported"), m);
    }

    @Test
    void excludeModulesAndTaskModelPrefixAreRead(@TempDir Path dir) throws Exception {
        editConfig(lora(dir), o -> o.putArray("exclude_modules").add("encoder.layer.1.attention.self.value"));
        AdapterFolderException e = assertThrows(AdapterFolderException.class, () -> AdapterFolder.read(dir));
        assertTrue(e.getMessage().contains("unexpected tensor 'base_model.model.encoder.layer.1.attention.self.value"),
                e.getMessage());

        editConfig(dir, o -> o.putNull("exclude_modules"));
        Path mf = dir.resolve(AdapterFolder.MODEL_FILE);
        SafetensorsReader.Content c = SafetensorsReader.read(mf);
        Map<String, INDArray> renamed = new java.util.TreeMap<>();
        c.tensors().forEach((k, v) -> renamed.put(k.replace("base_model.model.", "base_model.model.bert."), v));
        dev.hora.io.SafetensorsWriter.write(mf, renamed, Map.of("format", "pt"));
        SavedAdapter s = AdapterFolder.read(dir);
        assertEquals(c.tensors().get("base_model.model.encoder.layer.1.attention.self.query.lora_A.weight").transpose(),
                s.layers().get(1).get("qA"));
    }

    /** A PEFT adapter saved in F16 or BF16: values k/8 are exact in both, so they must read back exactly. */
    @Test
    void halfPrecisionTensorsAreWidened(@TempDir Path dir) throws Exception {
        for (String dtype : new String[]{"F16", "BF16"}) {
            Path d = lora(dir.resolve(dtype));
            Path mf = d.resolve(AdapterFolder.MODEL_FILE);
            Map<String, INDArray> t = SafetensorsReader.read(mf).tensors();
            Map<String, INDArray> exact = new java.util.TreeMap<>();
            t.forEach((k, v) -> exact.put(k, Nd4j.createFromArray(exactEighths(v.length())).reshape(v.shape())));
            writeHalf(mf, exact, dtype);
            SavedAdapter s = AdapterFolder.read(d);
            INDArray want = exact.get("base_model.model.encoder.layer.0.attention.self.value.lora_B.weight").transpose();
            assertEquals(want, s.layers().get(0).get("vB"), dtype);
        }
    }

    private static float[] exactEighths(long n) {
        float[] v = new float[(int) n];
        for (int i = 0; i < n; i++) {
            v[i] = ((i * 7) % 33 - 16) / 8f;   // -2 .. 2 in steps of 1/8
        }
        return v;
    }

    /** Writes a safetensors file by hand with 16-bit floats (independent of this library's writer). */
    private static void writeHalf(Path file, Map<String, INDArray> tensors, String dtype) throws Exception {
        ObjectNode h = OM.createObjectNode();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            float[] v = e.getValue().dup('c').data().asFloat();
            ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                int bits = Float.floatToIntBits(f);
                if (dtype.equals("BF16")) {
                    b.putShort((short) (bits >>> 16));
                } else {
                    int exp = ((bits >>> 23) & 0xff) - 127 + 15;
                    b.putShort(f == 0 ? (short) 0 : (short) (((bits >>> 16) & 0x8000) | (exp << 10) | ((bits >>> 13) & 0x3ff)));
                }
            }
            ObjectNode t = h.putObject(e.getKey());
            t.put("dtype", dtype);
            e.getValue().shape();
            for (long s : e.getValue().shape()) {
                t.withArray("shape").add(s);
            }
            t.putArray("data_offsets").add(data.size()).add(data.size() + 2 * v.length);
            data.write(b.array());
        }
        h.putObject("__metadata__").put("format", "pt");
        byte[] hb = OM.writeValueAsString(h).getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(len.array());
        all.write(hb);
        all.write(data.toByteArray());
        Files.write(file, all.toByteArray());
    }
}
