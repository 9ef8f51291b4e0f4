package dev.hora.onnx;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns the initializers of a graph into float tensors, dequantizing int8/uint8 weights.
 *
 * <p>ONNX Runtime's dynamic quantizer stores a weight {@code X} as three initializers
 * {@code X_quantized} (int8 or uint8, [K, N] or any shape), {@code X_scale} and {@code X_zero_point}
 * (a scalar, or one value per column N). The float weight is
 * <pre>  X[k, n] = (X_quantized[k, n] - X_zero_point[n]) * X_scale[n]</pre>
 * The activations are then kept in float: the imported encoder computes x W in float32, whereas
 * ONNX Runtime also quantizes x to uint8 per call ({@code DynamicQuantizeLinear}).
 */
final class Dequantizer {
    static final String Q = "_quantized";
    static final String SCALE = "_scale";
    static final String ZERO_POINT = "_zero_point";

    /** A float tensor of the file: its logical name and the initializer name the nodes consume. */
    record Logical(String name, String consumedAs, INDArray value) {
    }

    private Dequantizer() {
    }

    /**
     * Float tensors (dequantized where needed) keyed by logical name, in file order; integer
     * tensors that are not quantized weights (e.g. position_ids) go to {@code buffers}.
     */
    static Map<String, Logical> floats(OnnxGraph g, Map<String, INDArray> buffers) {
        Map<String, TensorProto> inits = g.initializers();
        Map<String, Logical> out = new LinkedHashMap<>();
        for (TensorProto t : inits.values()) {
            String name = t.getName();
            if (name.endsWith(Q)) {
                String base = name.substring(0, name.length() - Q.length());
                TensorProto scale = inits.get(base + SCALE);
                TensorProto zp = inits.get(base + ZERO_POINT);
                if (scale == null || zp == null) {
                    throw new OnnxImportException(g.source(), "quantized tensor " + name + " has no "
                            + (scale == null ? base + SCALE : base + ZERO_POINT));
                }
                out.put(base, new Logical(base, name, finite(g.source(), base, dequantize(g, t, scale, zp))));
            } else if (isQuantParam(name, inits)) {
                continue;
            } else if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE
                    || t.getDataType() == TensorProto.DataType.DOUBLE_VALUE) {
                out.put(name, new Logical(name, name, finite(g.source(), name, g.value(t))));
            } else {
                buffers.put(name, g.value(t));
            }
        }
        return out;
    }

    /** A weight with a NaN or infinity would make every output NaN: refuse it, naming the first such element. */
    static INDArray finite(String source, String name, INDArray a) {
        if (a.length() == 0) {
            return a;
        }
        FloatBuffer v = a.dataType() == DataType.FLOAT && !a.isView()
                ? a.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer()       // no heap copy
                : FloatBuffer.wrap(a.castTo(DataType.FLOAT).data().asFloat());
        for (int i = 0; i < v.limit(); i++) {
            if (!Float.isFinite(v.get(i))) {
                throw new OnnxImportException(source, "tensor " + name + " holds " + v.get(i) + " at flat index " + i
                        + "; weights must be finite");
            }
        }
        return a;
    }

    private static boolean isQuantParam(String name, Map<String, TensorProto> inits) {
        for (String suffix : new String[] {SCALE, ZERO_POINT}) {
            if (name.endsWith(suffix)
                    && inits.containsKey(name.substring(0, name.length() - suffix.length()) + Q)) {
                return true;
            }
        }
        return false;
    }

    static INDArray dequantize(String source, TensorProto q, TensorProto scaleT, TensorProto zpT) {
        return dequantize(source, q, scaleT, zpT, t -> TensorDecoder.decode(source, t));
    }

    private static INDArray dequantize(OnnxGraph g, TensorProto q, TensorProto scaleT, TensorProto zpT) {
        return dequantize(g.source(), q, scaleT, zpT, g::value);
    }

    private static INDArray dequantize(String source, TensorProto q, TensorProto scaleT, TensorProto zpT,
                                       Function<TensorProto, INDArray> value) {
        requireType(source, q, TensorProto.DataType.INT8, TensorProto.DataType.UINT8);
        requireType(source, scaleT, TensorProto.DataType.FLOAT);
        requireType(source, zpT, TensorProto.DataType.forNumber(q.getDataType()));
        INDArray qa = value.apply(q);
        float[] scale = value.apply(scaleT).castTo(DataType.FLOAT).data().asFloat();
        int[] zp = value.apply(zpT).castTo(DataType.INT).data().asInt();
        long[] shape = qa.shape();
        int cols = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
        if (scale.length != zp.length || (scale.length != 1 && scale.length != cols)) {
            throw new OnnxImportException(source, "quantized tensor " + q.getName() + " " + Arrays.toString(shape)
                    + " has scale/zero point of length " + scale.length + "/" + zp.length
                    + "; only per-tensor or per-column (last axis) quantization is supported");
        }
        int[] v = qa.data().asInt();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int c = scale.length == 1 ? 0 : i % cols;
            f[i] = (v[i] - zp[c]) * scale[c];
        }
        return Nd4j.create(f, shape.length == 0 ? new long[] {1} : shape, 'c');
    }

    /** Quantized weights are INT8/UINT8, scales FLOAT, zero points the weight's type (as ONNX Runtime writes them). */
    private static void requireType(String source, TensorProto t, TensorProto.DataType... allowed) {
        for (TensorProto.DataType d : allowed) {
            if (t.getDataType() == d.getNumber()) {
                return;
            }
        }
        throw new OnnxImportException(source, "tensor " + t.getName() + " has data type "
                + TensorProto.DataType.forNumber(t.getDataType()) + ", expected " + (allowed.length == 1 ? allowed[0]
                : Arrays.toString(allowed)) + " for a dynamically quantized weight");
    }
}
