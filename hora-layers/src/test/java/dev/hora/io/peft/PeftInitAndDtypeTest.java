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
import dev.hora.io.SafetensorsWriter;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PEFT folders: initialisations that replaced the base weights are refused by name, F64 weights are
 * read as F32, and a tensor the folder cannot hold is refused from the header, before it is read.
 */
class PeftInitAndDtypeTest {
    private static final ObjectMapper OM = new ObjectMapper();
    private static final String QA = "base_model.model.encoder.layer.0.attention.self.query.lora_A.weight";

    private static Path lora(Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).alpha(4).targets(Target.Q, Target.V).build();
        AdapterFolder.write(dir, cfg, null, Fixtures.layers(Fixtures.adapter(cfg), 0, 1), 2);
        return dir;
    }

    @Test
    void baseModifyingInitialisationsAreRefusedByName(@TempDir Path dir) throws Exception {
        for (String init : new String[]{"pissa", "pissa_niter_4", "olora", "corda", "loftq"}) {
            Path d = lora(dir.resolve(init));
            Path cf = d.resolve(AdapterFolder.CONFIG_FILE);
            ObjectNode o = (ObjectNode) OM.readTree(cf.toFile());
            o.put("init_lora_weights", init);
            Files.writeString(cf, OM.writeValueAsString(o));
            AdapterFolderException e = assertThrows(AdapterFolderException.class, () -> AdapterFolder.read(d), init);
            assertEquals(AdapterFolder.CONFIG_FILE, e.file().getFileName().toString(), e.getMessage());
            assertTrue(e.getMessage().contains("init_lora_weights = \"" + init + "\"")
                    && e.getMessage().contains(init.equals("loftq") ? "quantised" : "residual"), e.getMessage());
        }
        for (String ok : new String[]{"gaussian", "true"}) {   // initialisations that leave the base alone load
            Path d = lora(dir.resolve("ok-" + ok));
            Path cf = d.resolve(AdapterFolder.CONFIG_FILE);
            ObjectNode o = (ObjectNode) OM.readTree(cf.toFile());
            if (ok.equals("true")) {
                o.put("init_lora_weights", true);
            } else {
                o.put("init_lora_weights", ok);
            }
            Files.writeString(cf, OM.writeValueAsString(o));
            assertEquals(2, AdapterFolder.read(d).config().getRank(), ok);
        }
    }

    @Test
    void f64WeightsAreReadAsFloats(@TempDir Path dir) throws Exception {
        Path d = lora(dir);
        Path mf = d.resolve(AdapterFolder.MODEL_FILE);
        SafetensorsReader.Content c = SafetensorsReader.read(mf);
        Map<String, INDArray> f64 = new TreeMap<>();
        c.tensors().forEach((k, v) -> f64.put(k, v.castTo(DataType.DOUBLE)));
        SafetensorsWriter.write(mf, f64, c.metadata());
        SavedAdapter s = AdapterFolder.read(d);
        INDArray got = s.layers().get(0).get("qA");
        assertEquals(DataType.FLOAT, got.dataType());
        assertEquals(c.tensors().get(QA).transpose(), got);
    }

    /** A 1.5 GB lora_A (a sparse file: no disk, no memory) of the wrong rank is refused from the header alone. */
    @Test
    void anOversizedTensorIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path d = lora(dir);
        Path mf = d.resolve(AdapterFolder.MODEL_FILE);
        long cols = 1L << 26;   // [6, 2^26] F32 = 1.5 GB
        String h = "{\"" + QA + "\":{\"dtype\":\"F32\",\"shape\":[6," + cols + "],\"data_offsets\":[0," + (24 * cols) + "]}}";
        byte[] hb = h.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(mf.toFile(), "rw")) {
            f.setLength(0);
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
            f.write(hb);
            f.setLength(8 + hb.length + 24 * cols);
        }
        long t0 = System.nanoTime();
        AdapterFolderException e = assertThrows(AdapterFolderException.class, () -> AdapterFolder.read(d));
        assertTrue(e.getMessage().contains("tensor '" + QA + "' has shape [6, 67108864], expected [2, 67108864]"),
                e.getMessage());
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "refused from the header, not after reading 1.5 GB");
    }
}
