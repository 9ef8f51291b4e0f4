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

    static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    static INDArray decode(String source, TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxImportException(source, "tensor " + t.getName()
                    + " keeps its data in an external file; external data is not supported");
        }
        long[] dims = shape(t);
        long[] shape = dims.length == 0 ? new long[] {1} : dims;
        long n = length(shape);
        if (n > Integer.MAX_VALUE) {
            throw new OnnxImportException(source, "tensor " + t.getName() + " is too large: " + n + " elements");
        }
        int len = (int) n;
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = raw.remaining() > 0;
        INDArray out;
        switch (t.getDataType()) {
            case TensorProto.DataType.FLOAT_VALUE: {
                float[] v = new float[len];
                if (hasRaw) {
                    expectBytes(source, t, raw, 4L * len);
                    raw.asFloatBuffer().get(v);
                } else {
                    expectCount(source, t, t.getFloatDataCount(), len);
                    for (int i = 0; i < len; i++) {
                        v[i] = t.getFloatData(i);
                    }
                }
                out = Nd4j.create(v, shape, 'c');
                break;
            }
            case TensorProto.DataType.DOUBLE_VALUE: {
                float[] v = new float[len];
                for (int i = 0; i < len; i++) {
                    if (hasRaw) {
                        expectBytes(source, t, raw, 8L * len);
                        v[i] = (float) raw.getDouble(8 * i);
                    } else {
                        expectCount(source, t, t.getDoubleDataCount(), len);
                        v[i] = (float) t.getDoubleData(i);
                    }
                }
                out = Nd4j.create(v, shape, 'c');
                break;
            }
            case TensorProto.DataType.INT64_VALUE:
            case TensorProto.DataType.INT32_VALUE: {
                boolean i64 = t.getDataType() == TensorProto.DataType.INT64_VALUE;
                long[] v = new long[len];
                if (hasRaw) {
                    expectBytes(source, t, raw, (i64 ? 8L : 4L) * len);
                }
                for (int i = 0; i < len; i++) {
                    if (hasRaw) {
                        v[i] = i64 ? raw.getLong(8 * i) : raw.getInt(4 * i);
                    } else if (i64) {
                        expectCount(source, t, t.getInt64DataCount(), len);
                        v[i] = t.getInt64Data(i);
                    } else {
                        expectCount(source, t, t.getInt32DataCount(), len);
                        v[i] = t.getInt32Data(i);
                    }
                }
                out = Nd4j.createFromArray(v).reshape('c', shape);
                break;
            }
            case TensorProto.DataType.INT8_VALUE:
            case TensorProto.DataType.UINT8_VALUE: {
                boolean unsigned = t.getDataType() == TensorProto.DataType.UINT8_VALUE;
                int[] v = new int[len];
                if (hasRaw) {
                    expectBytes(source, t, raw, len);
                } else {
                    expectCount(source, t, t.getInt32DataCount(), len);
                }
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
