package dev.hora.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes {@code Map<String, INDArray>} as a safetensors file, atomically (see {@link AtomicFiles}).
 *
 * <pre>
 * [u64 little-endian N][N bytes JSON header, space-padded to a multiple of 8][data]
 * header = {"__metadata__": {k: v}, name: {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...}
 * data   = tensors in name order, each C-order, little-endian, contiguous, no gaps
 * </pre>
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = HoraJson.MAPPER;

    private SafetensorsWriter() {
    }

    /** Writes the tensors (and optional string metadata) to {@code file} atomically. */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, INDArray> sorted = new TreeMap<>(tensors);
        byte[] header = header(sorted, metadata);
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
                writeData(out, e.getValue());
            }
        });
    }

    /** Writes the tensors without metadata. */
    public static void write(Path file, Map<String, INDArray> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    static byte[] header(Map<String, INDArray> sorted, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, INDArray> e : sorted.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__") || name.isEmpty()) {
                throw new IllegalArgumentException("invalid tensor name '" + name + "'");
            }
            INDArray a = e.getValue();
            SafetensorsDtype dtype = SafetensorsDtype.of(a.dataType());
            if (dtype == null) {
                throw new IllegalArgumentException("tensor '" + name + "' has unsupported data type "
                        + a.dataType() + " (supported: F64, F32, I64, I32)");
            }
            long bytes = Math.multiplyExact(a.length(), dtype.bytes());
            ObjectNode t = root.putObject(name);
            t.put("dtype", dtype.name());
            ArrayNode shape = t.putArray("shape");
            for (long s : a.shape()) {
                shape.add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        java.util.Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    private static void writeData(OutputStream out, INDArray a) throws IOException {
        if (a.length() == 0) {
            return;
        }
        INDArray c = a.dup('c'); // contiguous, offset 0, C order
        SafetensorsDtype dtype = SafetensorsDtype.of(a.dataType());
        int n = (int) c.length();
        ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(n, dtype.bytes())).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().put(c.data().asFloat(), 0, n);
            case F64 -> buf.asDoubleBuffer().put(c.data().asDouble(), 0, n);
            case I64 -> buf.asLongBuffer().put(c.data().asLong(), 0, n);
            case I32 -> buf.asIntBuffer().put(c.data().asInt(), 0, n);
            default -> throw new IllegalStateException(dtype.name());
        }
        out.write(buf.array());
    }
}
