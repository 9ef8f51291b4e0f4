package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a header may claim before any data is read: no dimension past a Java array (empty tensors
 * included), at most {@link SafetensorsHeader#MAX_TENSORS} tensors, no tensor larger than the heap
 * can hold, and, with a {@link TensorSpec}, nothing the reader does not expect. Large tensors are
 * sparse files: they cost neither disk nor memory, and are refused in milliseconds.
 */
class SafetensorsLimitsTest {
    @TempDir
    Path dir;

    /** A file with this header and {@code dataBytes} bytes of (sparse, zero) data. */
    private Path file(String name, String header, long dataBytes) throws IOException {
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).array());
            f.write(hb);
            f.setLength(8 + hb.length + dataBytes);
        }
        return p;
    }

    private static void refused(Path f, String part, Class<? extends IOException> type, HeaderCheck check) {
        long t0 = System.nanoTime();
        IOException e = assertThrows(type, () -> SafetensorsReader.read(f, check));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains(part), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "refused from the header: " + e.getMessage());
    }

    @Test
    void emptyTensorsMayNotClaimHugeDimensions() throws IOException {
        refused(file("e.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,1099511627776],\"data_offsets\":[0,0]}}", 0),
                "dimension 1099511627776 exceeds", SafetensorsFormatException.class, HeaderCheck.ANY);
        refused(file("e2.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,1048576,1048576],\"data_offsets\":[0,0]}}", 0),
                "claims more than", SafetensorsFormatException.class, HeaderCheck.ANY);
        Path ok = file("ok.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[0,0]}}", 0);
        assertEquals(0, SafetensorsReader.read(ok).tensors().get("w").length());
    }

    @Test
    void tooManyTensorsAreRefused() throws IOException {
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i <= SafetensorsHeader.MAX_TENSORS; i++) {
            h.append(i == 0 ? "" : ",").append("\"t").append(i).append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        refused(file("many.st", h.append('}').toString(), 0), "more than 100000 tensors",
                SafetensorsFormatException.class, HeaderCheck.ANY);
    }

    @Test
    void aTensorLargerThanTheHeapAllowsIsRefusedFromTheHeader() throws IOException {
        long bytes = 1_900_000_000L;
        Assumptions.assumeTrue(4 * bytes > Runtime.getRuntime().maxMemory(), "the test JVM's heap is too large");
        refused(file("big.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + bytes / 4 + "],\"data_offsets\":[0," + bytes
                + "]}}", bytes), "too large for the JVM heap", SafetensorsFormatException.class, HeaderCheck.ANY);
    }

    @Test
    void aTensorSpecRefusesUnexpectedNamesDtypesAndShapesBeforeReading() throws IOException {
        TensorSpec spec = TensorSpec.of(Map.of("w", new long[]{2}), Set.of(SafetensorsDtype.F32));
        Path extra = file("extra.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[400000000],\"data_offsets\":[8,1600000008]}}", 1_600_000_008L);
        refused(extra, "unexpected tensor 'x' F32[400000000] (expected w)", UnexpectedTensorException.class, spec);
        refused(file("dt.st", "{\"w\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w' has dtype I32, expected F32", UnexpectedTensorException.class, spec);
        refused(file("sh.st", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w' has shape [1, 2], expected [2]", UnexpectedTensorException.class, spec);
        refused(file("none.st", "{}", 0), "missing tensor 'w'", UnexpectedTensorException.class, spec);
    }

    /** The checkpoint's expected tensors are checked before its digest is computed or any tensor is read. */
    @Test
    void aCheckpointWithAnUnexpectedLargeTensorIsRefusedBeforeReading() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Map<String, INDArray> t = Map.of("m", Nd4j.createFromArray(1f, 2f));
        store.save(new Checkpoint(3, t, Map.of()));
        Path big = file("big-ckpt", "{\"__metadata__\":{\"hora.step\":\"3\",\"hora.sha256\":\"0\"},"
                + "\"m\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[400000000],\"data_offsets\":[8,1600000008]}}", 1_600_000_008L);
        Files.move(big, store.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long t0 = System.nanoTime();
        IOException e = assertThrows(UnexpectedTensorException.class, () -> store.load(TensorSpec.like(t)));
        assertTrue(e.getMessage().contains("unexpected tensor 'z'"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "refused from the header");
    }
}
