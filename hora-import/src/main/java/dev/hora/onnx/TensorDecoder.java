package dev.hora.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decodes an ONNX {@code TensorProto} (raw little-endian bytes or typed repeated fields) into a
 * C-order {@link INDArray}: FLOAT and DOUBLE become FLOAT, INT64/INT32 become LONG, INT8/UINT8
 * become INT (their integer values, for dequantization).
 */
final class TensorDecoder {
    private TensorDecoder() {
    }

    static long[] shape(TensorProto t) {
        List<Long> dims = t.getDimsList();
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i);
        }
        return shape;
    }

    /**
     * Number of elements of a shape, checked before anything is allocated: every dim must be
     * {@code >= 0} and the product must fit in an {@code int} (one Java array).
     *
     * @throws OnnxImportException naming the tensor and the offending dims
     */
    static int checkedLength(String source, TensorProto t, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new OnnxImportException(source, "tensor " + t.getName() + " has a negative dimension "
                        + java.util.Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                n = Long.MAX_VALUE;
            }
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new OnnxImportException(source, "tensor " + t.getName() + " " + java.util.Arrays.toString(shape)
                    + " is too large: " + (n == Long.MAX_VALUE ? "more than 2^63" : n) + " elements");
        }
        return (int) n;
    }

    /** Stored values (raw bytes / element size, or the typed field's count), compared before allocating. */
    private static void checkStored(String source, TensorProto t, ByteBuffer raw, int elementBytes, int typedCount,
                                    int len) {
        if (raw.remaining() > 0) {
            expectBytes(source, t, raw, (long) elementBytes * len);
        } else {
            expectCount(source, t, typedCount, len);
        }
    }

    static INDArray decode(String source, TensorProto t) {
        return decode(source, t, t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * As {@link #decode(String, TensorProto)} with the raw bytes given apart (little-endian, position 0 to its
     * limit; t's own raw_data is not read): the streamed import reads them into native memory.
     */
    static INDArray decode(String source, TensorProto t, ByteBuffer raw) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxImportException(source, "tensor " + t.getName()
                    + " keeps its data in an external file; external data is not supported");
        }
        long[] dims = shape(t);
        long[] shape = dims.length == 0 ? new long[] {1} : dims;
        int len = checkedLength(source, t, shape);
        boolean hasRaw = raw.remaining() > 0;
        if (len == 0 && dims.length > 0 && !hasRaw) {
            DataType type = switch (t.getDataType()) {
                case TensorProto.DataType.FLOAT_VALUE, TensorProto.DataType.DOUBLE_VALUE -> DataType.FLOAT;
                case TensorProto.DataType.INT64_VALUE, TensorProto.DataType.INT32_VALUE -> DataType.LONG;
                case TensorProto.DataType.INT8_VALUE, TensorProto.DataType.UINT8_VALUE -> DataType.INT;
                default -> throw new OnnxImportException(source, "tensor " + t.getName()
                        + " has unsupported data type " + TensorProto.DataType.forNumber(t.getDataType()));
            };
            return Nd4j.create(type, shape);
        }
        INDArray out;
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE: {
                checkStored(source, t, raw, 4, t.getFloatDataCount(), len);
                if (hasRaw && len > 0) {   // straight into the array's native memory: no heap copy of a weight
                    out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
                    out.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer().put(raw.asFloatBuffer());
                    break;
                }
                float[] v = new float[len];
                for (int i = 0; i < len; i++) {
                    v[i] = t.getFloatData(i);
                }
                out = Nd4j.create(v, shape, 'c');
                break;
            }
            case TensorProto.DataType.DOUBLE_VALUE: {
                checkStored(source, t, raw, 8, t.getDoubleDataCount(), len);
                float[] v = new float[len];
                for (int i = 0; i < len; i++) {
                    v[i] = (float) (hasRaw ? raw.getDouble(8 * i) : t.getDoubleData(i));
                }
                out = Nd4j.create(v, shape, 'c');
                break;
            }
            case TensorProto.DataType.INT64_VALUE:
            case TensorProto.DataType.INT32_VALUE: {
                boolean i64 = t.getDataType() == TensorProto.DataType.INT64_VALUE;
                checkStored(source, t, raw, i64 ? 8 : 4, i64 ? t.getInt64DataCount() : t.getInt32DataCount(), len);
                long[] v = new long[len];
                for (int i = 0; i < len; i++) {
                    if (hasRaw) {
                        v[i] = i64 ? raw.getLong(8 * i) : raw.getInt(4 * i);
                    } else {
                        v[i] = i64 ? t.getInt64Data(i) : t.getInt32Data(i);
                    }
                }
                out = Nd4j.createFromArray(v).reshape('c', shape);
                break;
            }
            case TensorProto.DataType.INT8_VALUE:
            case TensorProto.DataType.UINT8_VALUE: {
                boolean unsigned = t.getDataType() == TensorProto.DataType.UINT8_VALUE;
                checkStored(source, t, raw, 1, t.getInt32DataCount(), len);
                int[] v = new int[len];
                for (int i = 0; i < len; i++) {
                    int x = hasRaw ? raw.get(i) : t.getInt32Data(i);
                    v[i] = unsigned ? (x & 0xFF) : (byte) x;
                }
                out = Nd4j.createFromArray(v).reshape('c', shape);
                break;
            }
            default:
                throw new OnnxImportException(source, "tensor " + t.getName() + " has unsupported data type "
                        + TensorProto.DataType.forNumber(t.getDataType()));
        }
        if (dims.length == 0) {
            return out.dataType() == DataType.FLOAT ? Nd4j.scalar(out.getFloat(0))
                    : out.dataType() == DataType.LONG ? Nd4j.scalar(out.getLong(0)) : Nd4j.scalar(out.getInt(0));
        }
        return out;
    }

    private static void expectBytes(String source, TensorProto t, ByteBuffer raw, long bytes) {
        if (raw.remaining() != bytes) {
            throw new OnnxImportException(source, "tensor " + t.getName() + " " + java.util.Arrays.toString(shape(t))
                    + " holds " + raw.remaining() + " bytes, expected " + bytes);
        }
    }

    private static void expectCount(String source, TensorProto t, int count, int expected) {
        if (count != expected) {
            throw new OnnxImportException(source, "tensor " + t.getName() + " " + java.util.Arrays.toString(shape(t))
                    + " holds " + count + " values, expected " + expected);
        }
    }
}
