package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Headers that a lenient parser would read as something else are refused: duplicate keys, text
 * after the JSON object, non-string metadata, fractional numbers, invalid UTF-8; weights must be
 * F32 and finite, checkpoints finite with a numeric step.
 */
class SafetensorsTrustTest {
    @TempDir
    Path dir;

    private Path raw(String name, byte[] json, int dataBytes) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(json.length).put(json);
        return Files.write(dir.resolve(name), bb.array());
    }

    private Path raw(String name, String json, int dataBytes) throws IOException {
        return raw(name, json.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    private static void fails(Path f, String part) {
        var ex = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.read(f));
        assertTrue(ex.getMessage().startsWith(f.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains(part), ex.getMessage());
    }

    private static final String W = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @Test
    void theSameHeaderWithSpacePaddingIsValid() throws IOException {
        assertEquals(Map.of("a", "b"), SafetensorsReader.read(raw("ok.st", "{\"__metadata__\":{\"a\":\"b\"}," + W
                + "}   ", 8)).metadata());
    }

    @Test
    void duplicateKeys() throws IOException {
        fails(raw("dup.st", "{" + W + "," + W + "}", 8), "Duplicate field 'w'");
    }

    @Test
    void trailingTextAfterTheHeaderObject() throws IOException {
        fails(raw("trail.st", "{" + W + "} {}", 8), "not valid JSON");
    }

    @Test
    void nonStringMetadata() throws IOException {
        fails(raw("meta.st", "{\"__metadata__\":{\"hora.step\":7}," + W + "}", 8),
                "__metadata__ key 'hora.step' is 7, expected a string");
        fails(raw("meta2.st", "{\"__metadata__\":[\"x\"]," + W + "}", 8), "__metadata__ is ARRAY");
    }

    @Test
    void fractionalShapeAndOffsets() throws IOException {
        fails(raw("frac.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8),
                "invalid dimension 2.5");
        fails(raw("frac2.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}", 8),
                "invalid data_offsets");
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] j = ("{\"w\u00e9\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}").getBytes(StandardCharsets.UTF_8);
        j[3] = (byte) 0xff;
        fails(raw("utf.st", j, 8), "not valid UTF-8");
    }

    @Test
    void weightsMustBeF32AndFinite() throws IOException {
        Path i32 = dir.resolve("i32.st");
        SafetensorsWriter.write(i32, Map.of("w", Nd4j.createFromArray(1, 2)));
        var ex = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.readWeights(i32));
        assertTrue(ex.getMessage().contains("tensor 'w' has dtype I32, expected F32"), ex.getMessage());
        Path nan = dir.resolve("nan.st");
        SafetensorsWriter.write(nan, Map.of("w", Nd4j.createFromArray(1f, Float.NaN)));
        ex = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.readWeights(nan));
        assertTrue(ex.getMessage().contains("tensor 'w' holds NaN at flat index 1"), ex.getMessage());
        Path ok = dir.resolve("ok.st");
        SafetensorsWriter.write(ok, Map.of("w", Nd4j.createFromArray(1f, 2f)));
        assertEquals(Nd4j.createFromArray(1f, 2f), SafetensorsReader.readWeights(ok).tensors().get("w"));
    }

    @Test
    void checkpointWithNonFiniteStateOrBadStep() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(new Checkpoint(3, Map.of("m", Nd4j.createFromArray(Float.POSITIVE_INFINITY)), Map.of()));
        var ex = assertThrows(SafetensorsFormatException.class, store::load);
        assertTrue(ex.getMessage().contains("tensor 'm' holds Infinity"), ex.getMessage());
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> m = Map.of("m", Nd4j.createFromArray(1f));
        SafetensorsWriter.write(store.file(), m, Map.of("hora.step", "x7", "hora.sha256", TensorDigest.of(m, Map.of("hora.step", "x7"))));
        ex = assertThrows(SafetensorsFormatException.class, store::load);
        assertTrue(ex.getMessage().contains("metadata 'hora.step' is 'x7', expected a non-negative integer"),
                ex.getMessage());
    }

    @Test
    void checkpointWithAFlippedPayloadByte() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.save(new Checkpoint(3, Map.of("m", Nd4j.createFromArray(1f, 2f)), Map.of()));
        assertEquals(3, store.load().orElseThrow().step());
        byte[] b = Files.readAllBytes(store.file());
        b[b.length - 1] ^= 0x01;   // the last byte of 2f: still a finite float
        Files.write(store.file(), b);
        var ex = assertThrows(SafetensorsFormatException.class, store::load);
        assertTrue(ex.getMessage().contains("do not match their SHA-256 'hora.sha256'"), ex.getMessage());
    }
}
