package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** Checks the bytes of a tiny file against the safetensors format, parsed by hand. */
class SafetensorsBytesTest {
    @TempDir
    Path dir;

    @Test
    void tinyFileMatchesTheFormatByteForByte() throws Exception {
        Path file = dir.resolve("tiny.safetensors");
        SafetensorsWriter.write(file,
                Map.of("b", Nd4j.createFromArray(new long[] {1, -2}),
                        "a", Nd4j.createFromArray(new float[][] {{1f, 2f, 3f}})),
                Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        assertEquals(0, n % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertEquals('{', header.charAt(0));
        assertTrue(header.endsWith("}") || header.endsWith(" "));
        JsonNode root = new ObjectMapper().readTree(header);
        assertEquals("v", root.get("__metadata__").get("k").asText());
        assertEquals("F32", root.get("a").get("dtype").asText());
        assertEquals("[1,3]", root.get("a").get("shape").toString());
        assertEquals("[0,12]", root.get("a").get("data_offsets").toString());
        assertEquals("I64", root.get("b").get("dtype").asText());
        assertEquals("[2]", root.get("b").get("shape").toString());
        assertEquals("[12,28]", root.get("b").get("data_offsets").toString());
        assertEquals(8 + n + 28, bytes.length);
        int d = (int) (8 + n);
        assertEquals(1f, bb.getFloat(d));
        assertEquals(2f, bb.getFloat(d + 4));
        assertEquals(3f, bb.getFloat(d + 8));
        assertEquals(1L, bb.getLong(d + 12));
        assertEquals(-2L, bb.getLong(d + 20));
        // explicit little-endian check of the first float: 1.0f = 0x3F800000
        assertEquals(0x00, bytes[d]);
        assertEquals((byte) 0x80, bytes[d + 2]);
        assertEquals((byte) 0x3F, bytes[d + 3]);

        SafetensorsHeader h = SafetensorsHeader.read(file);
        assertEquals(List.of("a", "b"), h.entries().stream().map(TensorEntry::name).toList());
        assertEquals(8 + n, h.dataStart());
    }

    @Test
    void readsAHandWrittenFile() throws Exception {
        String json = "{\"w\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}";
        ByteBuffer bb = ByteBuffer.allocate(8 + json.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(json.length()).put(json.getBytes(StandardCharsets.UTF_8)).putDouble(0.25).putDouble(-4);
        Path file = dir.resolve("hand.safetensors");
        Files.write(file, bb.array());
        var content = SafetensorsReader.read(file);
        assertEquals(Nd4j.createFromArray(0.25, -4.0), content.tensors().get("w"));
        assertTrue(content.metadata().isEmpty());
    }
}
