package dev.hora.onnx;

import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.onnx.bert.BertWeightNames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes an adapter into a base ONNX file: every adapted site's initializer becomes W + dW, so that any
 * ONNX runtime runs the adapted encoder with no adapter code.
 * <pre>
 *   (layer, target) -> HF name encoder.layer.L.&lt;module&gt;.weight  (BertWeightNames)
 *                   -> the initializer the graph's MatMul consumes  (WeightNames, as the import maps them)
 *   W [d_in, d_out] (the ONNX MatMul layout, y = x W + b) + dW [d_in, d_out]: no transpose
 * </pre>
 * Quantized weights and weights consumed through a transposing Gemm are refused (not silently wrong).
 */
public final class OnnxMerge {
    private OnnxMerge() {
    }

    /**
     * The ONNX bytes of {@code onnx} with {@code deltaW} (per site, [d_in, d_out], e.g.
     * {@code AdapterSet.deltaW()}) added to its weights; everything else is kept as it is.
     *
     * @throws OnnxImportException naming the file and the weight that cannot take its delta
     */
    public static byte[] merge(String source, byte[] onnx, Map<Key, INDArray> deltaW) {
        ModelProto model;
        try {
            model = ModelProto.parseFrom(onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException(source, "not an ONNX model or truncated file: " + e.getMessage(), e);
        }
        OnnxGraph g = new OnnxGraph(source, model.getGraph());
        BertGraphReader.read(g);   // the same checks as an import: this is a BERT encoder we understand
        Map<String, String> init = WeightNames.initializerNames(g, Dequantizer.floats(g, new HashMap<>()));
        Map<String, INDArray> byInit = new LinkedHashMap<>();
        deltaW.forEach((k, dw) -> {
            String hf = BertWeightNames.weight(k.layer(), k.target());
            String name = init.get(hf);
            if (name == null) {
                throw new OnnxImportException(source, "no initializer holds " + hf);
            }
            if (name.endsWith(Dequantizer.Q)) {
                throw new OnnxImportException(source, hf + " is quantized (" + name + "): merge into the float model");
            }
            for (NodeProto n : g.consumers(name)) {
                boolean transposed = n.getOpType().equals("Gemm") && n.getInputList().indexOf(name) == 1
                        && n.getAttributeList().stream().anyMatch(a -> a.getName().equals("transB") && a.getI() == 1);
                if (transposed || !List.of("MatMul", "Gemm").contains(n.getOpType())) {
                    throw new OnnxImportException(source, name + " (" + hf + ") is consumed by " + n.getOpType()
                            + (transposed ? " with transB" : "") + ": only a plain MatMul weight can be merged");
                }
            }
            byInit.merge(name, dw, INDArray::add);
        });
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            TensorProto t = graph.getInitializer(i);
            INDArray dw = byInit.remove(t.getName());
            if (dw != null) {
                graph.setInitializer(i, added(source, t, dw));
            }
        }
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** W + dW (in double, cast back), written as raw little-endian data of the tensor's own type. */
    private static TensorProto added(String source, TensorProto t, INDArray dw) {
        INDArray w = TensorDecoder.decode(source, t);
        if (!Arrays.equals(w.shape(), dw.shape())) {
            throw new OnnxImportException(source, t.getName() + ": shape " + Arrays.toString(w.shape())
                    + ", the adapter's dW is " + Arrays.toString(dw.shape()));
        }
        INDArray sum = w.castTo(DataType.DOUBLE).addi(dw.castTo(DataType.DOUBLE));
        boolean dbl = t.getDataType() == TensorProto.DataType.DOUBLE_VALUE;
        double[] v = sum.dup('c').data().asDouble();
        ByteBuffer b = ByteBuffer.allocate(v.length * (dbl ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            if (dbl) {
                b.putDouble(x);
            } else {
                b.putFloat((float) x);
            }
        }
        return t.toBuilder().clearFloatData().clearDoubleData().clearRawData()
                .setRawData(ByteString.copyFrom(b.array())).build();
    }
}
