package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Each class of bad tensor found by mutation gets an {@link OnnxImportException} naming the file,
 * the tensor and the problem, before anything is allocated: negative and huge dims, stored data
 * that does not match the dims, duplicate names, non-finite weights, quantization parameters of
 * the wrong type, layer indices beyond int.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OnnxTrustTest {
    private static final String LN = "encoder.layer.0.output.LayerNorm.weight";
    private static ModelProto tiny;

    @BeforeAll
    static void build() {
        tiny = new TinyBertOnnx().build();
    }

    private static byte[] edit(String name, UnaryOperator<TensorProto.Builder> f) {
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals(name)) {
                g.setInitializer(i, f.apply(g.getInitializer(i).toBuilder()));
                return tiny.toBuilder().setGraph(g).build().toByteArray();
            }
        }
        throw new AssertionError("no initializer " + name);
    }

    private static void expect(byte[] model, String... parts) {
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> BertOnnx.fromBytes("m.onnx", model));
        assertTrue(e.getMessage().startsWith("m.onnx: "), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void negativeDimension() {
        expect(edit(LN, t -> t.setDims(0, -32)), LN, "negative dimension [-32]");
    }

    @Test
    void dimsWhoseProductOverflows() {
        expect(edit(LN, t -> t.setDims(0, 1L << 40).addDims(1L << 40)), LN, "too large", "more than 2^63");
    }

    @Test
    void hugeDimsAreComparedWithTheStoredDataBeforeAllocating() {
        // 2^30 floats would be a 4 GB array: the 32 stored values are compared first
        expect(edit(LN, t -> t.setDims(0, 1L << 15).addDims(1L << 15)), LN, "holds 32 values, expected 1073741824");
        byte[] raw = new byte[128];
        expect(edit(LN, t -> t.clearFloatData().setRawData(ByteString.copyFrom(raw)).setDims(0, 1L << 15)
                .addDims(1L << 15)), LN, "holds 128 bytes, expected 4294967296");
    }

    @Test
    void duplicateInitializer() {
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        TensorProto first = g.getInitializer(1);
        g.addInitializer(first.toBuilder().clearFloatData().addAllFloatData(first.getFloatDataList()));
        expect(tiny.toBuilder().setGraph(g).build().toByteArray(), "two initializers are named '" + first.getName() + "'");
    }

    @Test
    void nonFiniteWeight() {
        expect(edit(LN, t -> t.setFloatData(5, Float.NaN)), LN, "NaN at flat index 5", "finite");
        expect(edit(LN, t -> t.setFloatData(0, Float.NEGATIVE_INFINITY)), LN, "-Infinity");
    }

    @Test
    void layerIndexBeyondInt() {
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        g.addInitializer(TensorProto.newBuilder().setName("encoder.layer.99999999999.output.dense.bias")
                .setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(1).addFloatData(0f));
        expect(tiny.toBuilder().setGraph(g).build().toByteArray(), "layer index 99999999999 is out of range");
    }

    @Test
    void quantizationParametersMustHaveTheirTypes() {
        TensorProto q = TensorProto.newBuilder().setName("w_quantized").setDataType(TensorProto.DataType.INT8_VALUE)
                .addDims(2).addInt32Data(3).addInt32Data(-4).build();
        TensorProto scale = TensorProto.newBuilder().setName("w_scale").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(0.5f).build();
        TensorProto zp = TensorProto.newBuilder().setName("w_zero_point").setDataType(TensorProto.DataType.INT8_VALUE)
                .addInt32Data(1).build();
        // the valid triple dequantizes: (3 - 1) * 0.5, (-4 - 1) * 0.5
        float[] w = Dequantizer.dequantize("m.onnx", q, scale, zp).data().asFloat();
        assertTrue(w[0] == 1f && w[1] == -2.5f, java.util.Arrays.toString(w));
        TensorProto intScale = scale.toBuilder().setDataType(TensorProto.DataType.INT32_VALUE).clearFloatData()
                .addInt32Data(1).build();
        OnnxImportException e = assertThrows(OnnxImportException.class,
                () -> Dequantizer.dequantize("m.onnx", q, intScale, zp));
        assertTrue(e.getMessage().contains("w_scale has data type INT32, expected FLOAT"), e.getMessage());
        TensorProto floatZp = zp.toBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).clearInt32Data()
                .addFloatData(1f).build();
        e = assertThrows(OnnxImportException.class, () -> Dequantizer.dequantize("m.onnx", q, scale, floatZp));
        assertTrue(e.getMessage().contains("w_zero_point has data type FLOAT, expected INT8"), e.getMessage());
        TensorProto floatQ = q.toBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).clearInt32Data()
                .addFloatData(3f).addFloatData(-4f).build();
        e = assertThrows(OnnxImportException.class, () -> Dequantizer.dequantize("m.onnx", floatQ, scale, zp));
        assertTrue(e.getMessage().contains("w_quantized has data type FLOAT, expected [INT8, UINT8]"), e.getMessage());
    }
}
