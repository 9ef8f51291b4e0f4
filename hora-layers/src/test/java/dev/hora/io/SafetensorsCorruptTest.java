package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** Truncated or corrupt files fail with a message that names the file and the problem. */
class SafetensorsCorruptTest {
    @TempDir
    Path dir;

    private Path valid() throws IOException {
        Path f = dir.resolve("ok.safetensors");
        SafetensorsWriter.write(f, Map.of("w", Nd4j.createFromArray(1f, 2f, 3f, 4f)));
        return f;
    }

    private void assertFails(Path f, String expectedPart) {
        var ex = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.read(f));
        assertTrue(ex.getMessage().contains(f.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains(expectedPart), ex.getMessage());
    }

    private Path raw(String name, String json, int dataBytes) throws IOException {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + j.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(j.length).put(j);
        Path f = dir.resolve(name);
        Files.write(f, bb.array());
        return f;
    }

    @Test
    void truncatedData() throws IOException {
        Path ok = valid();
        byte[] b = Files.readAllBytes(ok);
        Path f = dir.resolve("cut.safetensors");
        Files.write(f, Arrays.copyOf(b, b.length - 3));
        assertFails(f, "truncated");
    }

    @Test
    void truncatedHeader() throws IOException {
        byte[] b = Files.readAllBytes(valid());
        Path f = dir.resolve("cut2.safetensors");
        Files.write(f, Arrays.copyOf(b, 20));
        assertFails(f, "truncated");
        Path g = dir.resolve("tiny.safetensors");
        Files.write(g, new byte[] {1, 2, 3});
        assertFails(g, "shorter than the 8-byte");
    }

    @Test
    void garbageHeader() throws IOException {
        assertFails(raw("json.safetensors", "{not json", 0), "not valid JSON");
        assertFails(raw("arr.safetensors", "[1, 2, 3]   ", 0), "not a JSON object");
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
        assertFails(huge, "out of range");
    }

    @Test
    void inconsistentEntries() throws IOException {
        assertFails(raw("dt.safetensors", "{\"w\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                "unsupported dtype 'F8'");
        assertFails(raw("size.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "need 12");
        assertFails(raw("gap.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "gap or overlap");
        assertFails(raw("tail.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 9),
                "5 trailing bytes");
        assertFails(raw("neg.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                "invalid dimension");
    }

    @Test
    void missingFileNamesThePath() {
        Path f = dir.resolve("nope.safetensors");
        var ex = assertThrows(java.nio.file.NoSuchFileException.class, () -> SafetensorsReader.read(f));
        assertTrue(ex.getMessage().contains(f.toString()));
    }
}
