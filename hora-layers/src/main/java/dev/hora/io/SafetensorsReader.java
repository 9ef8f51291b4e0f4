package dev.hora.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a safetensors file into ND4J arrays (C order, dtype as stored); see {@link SafetensorsWriter}
 * for the layout and {@link SafetensorsHeader} for the checks made before any data is read.
 */
public final class SafetensorsReader {

    /** The content of a file: tensors in name order and the string metadata. */
    public record Content(Map<String, INDArray> tensors, Map<String, String> metadata) {
    }

    private SafetensorsReader() {
    }

    /** Reads every tensor of {@code file}. */
    public static Content read(Path file) throws IOException {
        return read(file, HeaderCheck.ANY);
    }

    /**
     * Reads every tensor of {@code file} after {@code check} has accepted its header and the largest
     * tensor has been found to fit the heap ({@link #requireFits}); nothing is read or allocated before.
     *
     * @throws SafetensorsFormatException naming the file (and the tensor) when the header fails, a
     *                                    tensor does not fit, or memory runs out while reading
     */
    public static Content read(Path file, HeaderCheck check) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafetensorsHeader h = SafetensorsHeader.read(file, ch);
            check.check(file, h);
            return read(file, ch, h);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "safetensors file not found");
        }
    }

    /** Reads the tensors of a header already read (and checked) from {@code ch}. */
    static Content read(Path file, FileChannel ch, SafetensorsHeader h) throws IOException {
        requireFits(file, h);
        Map<String, INDArray> out = new java.util.TreeMap<>();
        for (TensorEntry e : h.entries()) {
            try {
                ByteBuffer buf = ByteBuffer.allocate((int) e.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                SafetensorsHeader.readFully(ch, buf, h.dataStart() + e.begin());
                buf.flip();
                out.put(e.name(), toArray(e, buf));
            } catch (OutOfMemoryError oom) {
                int done = out.size();
                out.clear();
                throw new SafetensorsFormatException(file, "out of memory reading tensor '" + e.name() + "' ("
                        + e.byteSize() + " bytes; " + done + " of " + h.entries().size() + " tensors read); "
                        + "the JVM heap is " + Runtime.getRuntime().maxMemory() + " bytes (-Xmx)", oom);
            }
        }
        return new Content(new LinkedHashMap<>(out), h.metadata());
    }

    /**
     * Every tensor must fit a Java array and, twice over (the bytes read and the array made from
     * them), half the JVM heap: a larger one is refused from the header instead of running out of
     * memory half way through the file.
     */
    static void requireFits(Path file, SafetensorsHeader h) throws SafetensorsFormatException {
        long heap = Runtime.getRuntime().maxMemory();
        for (TensorEntry e : h.entries()) {
            if (e.byteSize() > Integer.MAX_VALUE - 8) {
                throw new SafetensorsFormatException(file, "tensor '" + e.name() + "' larger than 2 GB");
            }
            if (heap != Long.MAX_VALUE && 2 * e.byteSize() > heap / 2) {
                throw new SafetensorsFormatException(file, "tensor '" + e.name() + "' " + e.dtype()
                        + java.util.Arrays.toString(e.shape()) + " needs " + e.byteSize() + " bytes, too large for "
                        + "the JVM heap of " + heap + " bytes (raise -Xmx if the tensor is meant to be there)");
            }
        }
    }

    /**
     * Reads a file of trained weights: every tensor must be {@code F32} (a relabelled dtype of the
     * same byte size would otherwise load as other numbers) and finite (one NaN makes every
     * prediction NaN).
     *
     * @throws SafetensorsFormatException naming the file and the tensor
     */
    public static Content readWeights(Path file) throws IOException {
        return readWeights(file, HeaderCheck.ANY);
    }

    /** {@link #readWeights(Path)} after {@code check} has accepted the header. */
    public static Content readWeights(Path file, HeaderCheck check) throws IOException {
        Content c = read(file, (f, h) -> {
            for (TensorEntry e : h.entries()) {   // F16 and BF16 arrive widened to F32
                if (e.dtype().nd4j() != SafetensorsDtype.F32.nd4j()) {
                    throw new SafetensorsFormatException(f, "tensor '" + e.name() + "' has dtype " + e.dtype()
                            + ", expected F32 for weights");
                }
            }
            check.check(f, h);
        });
        requireFinite(file, c);
        return c;
    }

    /** Every floating-point tensor of {@code c} must hold only finite values. */
    public static void requireFinite(Path file, Content c) throws SafetensorsFormatException {
        for (Map.Entry<String, INDArray> e : c.tensors().entrySet()) {
            INDArray a = e.getValue();
            if (!a.dataType().isFPType() || a.isEmpty()) {
                continue;
            }
            double[] v = a.data().asDouble();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    throw new SafetensorsFormatException(file, "tensor '" + e.getKey() + "' holds " + v[i]
                            + " at flat index " + i + "; stored values must be finite");
                }
            }
        }
    }

    private static INDArray toArray(TensorEntry e, ByteBuffer buf) {
        long[] shape = e.shape();
        int n = (int) e.elements();
        if (n == 0) {
            return Nd4j.create(e.dtype().nd4j(), shape);
        }
        INDArray flat = switch (e.dtype()) {
            case F32 -> {
                float[] v = new float[n];
                buf.asFloatBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case F64 -> {
                double[] v = new double[n];
                buf.asDoubleBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case I64 -> {
                long[] v = new long[n];
                buf.asLongBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case I32 -> {
                int[] v = new int[n];
                buf.asIntBuffer().get(v);
                yield Nd4j.createFromArray(v);
            }
            case F16, BF16 -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    short h = buf.getShort();
                    v[i] = e.dtype() == SafetensorsDtype.BF16 ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h);
                }
                yield Nd4j.createFromArray(v);
            }
        };
        return flat.reshape('c', shape);
    }

    /** IEEE 754 binary16 to float, exactly (subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;   // subnormal (or zero): mant * 2^-24
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
