package dev.hora.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
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
}
