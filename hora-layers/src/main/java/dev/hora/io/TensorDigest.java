package dev.hora.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SHA-256 of a set of named tensors, independent of file layout:
 * <pre>
 *   for each name in sorted order:  name \0 dtype \0 shape \0 C-order little-endian values
 *   then (optionally) for each metadata key in sorted order:  key \0 value \0
 * </pre>
 * Stored in a file's metadata when written and recomputed from what was read, it catches a
 * flipped payload byte that every format check would accept.
 */
public final class TensorDigest {
    private TensorDigest() {
    }

    /** Lowercase hex SHA-256 of the tensors. */
    public static String of(Map<String, INDArray> tensors) {
        return of(tensors, Map.of());
    }

    /** Lowercase hex SHA-256 of the tensors, then of the metadata entries in key order ({@code key \0 value \0}). */
    public static String of(Map<String, INDArray> tensors, Map<String, String> metadata) {
        MessageDigest md = sha256();
        for (Map.Entry<String, INDArray> e : new TreeMap<>(tensors).entrySet()) {
            INDArray a = e.getValue();
            SafetensorsDtype d = SafetensorsDtype.of(a.dataType());
            md.update((e.getKey() + "\0" + d + "\0" + java.util.Arrays.toString(a.shape()) + "\0")
                    .getBytes(StandardCharsets.UTF_8));
            if (a.isEmpty()) {
                continue;
            }
            INDArray c = a.dup('c');
            int n = (int) c.length();
            ByteBuffer buf = ByteBuffer.allocate(n * d.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            switch (d) {
                case F32 -> buf.asFloatBuffer().put(c.data().asFloat(), 0, n);
                case F64 -> buf.asDoubleBuffer().put(c.data().asDouble(), 0, n);
                case I64 -> buf.asLongBuffer().put(c.data().asLong(), 0, n);
                case I32 -> buf.asIntBuffer().put(c.data().asInt(), 0, n);
                default -> throw new IllegalStateException(d.name());
            }
            md.update(buf.array());
        }
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            md.update((e.getKey() + "\0" + e.getValue() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * {@link #of(Map, Map)} of the tensors a file holds, computed from its bytes in chunks, without
     * allocating them: a digest is verified before a large tensor is read. F16 and BF16 values are
     * hashed widened to F32, as {@link SafetensorsReader} returns them.
     */
    static String ofFile(FileChannel ch, SafetensorsHeader h, Map<String, String> metadata) throws IOException {
        MessageDigest md = sha256();
        Map<String, TensorEntry> byName = new TreeMap<>();
        h.entries().forEach(e -> byName.put(e.name(), e));
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (TensorEntry e : byName.values()) {
            boolean half = e.dtype() == SafetensorsDtype.F16 || e.dtype() == SafetensorsDtype.BF16;
            SafetensorsDtype as = half ? SafetensorsDtype.F32 : e.dtype();
            md.update((e.name() + "\0" + as + "\0" + java.util.Arrays.toString(e.shape()) + "\0")
                    .getBytes(StandardCharsets.UTF_8));
            for (long at = e.begin(); at < e.end(); ) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), e.end() - at));
                SafetensorsHeader.readFully(ch, chunk, h.dataStart() + at);
                at += chunk.limit();
                chunk.flip();
                if (!half) {
                    md.update(chunk);
                    continue;
                }
                ByteBuffer wide = ByteBuffer.allocate(chunk.remaining() * 2).order(ByteOrder.LITTLE_ENDIAN);
                while (chunk.hasRemaining()) {
                    short v = chunk.getShort();
                    wide.putFloat(e.dtype() == SafetensorsDtype.BF16 ? Float.intBitsToFloat((v & 0xffff) << 16)
                            : SafetensorsReader.halfToFloat(v));
                }
                md.update(wide.flip());
            }
        }
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            md.update((e.getKey() + "\0" + e.getValue() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }
}
