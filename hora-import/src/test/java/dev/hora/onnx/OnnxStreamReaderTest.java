package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.CodedInputStream;

/** The streamed parse against protobuf's own parse of the whole message: same model, same tensor values. */
class OnnxStreamReaderTest {

    @Test
    void theRealMiniLmExportParsesAsTheWholeMessageDoes() throws IOException {
        byte[] bytes = MiniLm.bytes(MiniLm.MODEL);
        assertSameAsWholeParse(ModelProto.parseFrom(bytes), stream(bytes));
    }

    @Test
    void aSmallExportWithAnUndecodableTensorKeepsThatTensorWhole() throws IOException {
        TinyBertOnnx tiny = new TinyBertOnnx();
        ModelProto m = tiny.build();
        TensorProto external = TensorProto.newBuilder().setName("kept.whole").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2).setDataLocation(TensorProto.DataLocation.EXTERNAL).setRawData(ByteString.copyFrom(new byte[8]))
                .build();
        ModelProto withExternal = m.toBuilder().setGraph(m.getGraph().toBuilder().addInitializer(external)).build();
        OnnxStreamReader.Parsed p = stream(withExternal.toByteArray());
        assertFalse(p.decoded().containsKey("kept.whole"));
        List<TensorProto> inits = p.model().getGraph().getInitializerList();
        assertEquals(external, inits.get(inits.size() - 1), "an initializer that cannot be decoded is left as read");
        ModelProto without = withExternal.toBuilder().setGraph(withExternal.getGraph().toBuilder()
                .removeInitializer(withExternal.getGraph().getInitializerCount() - 1)).build();
        OnnxStreamReader.Parsed rest = stream(without.toByteArray());
        assertSameAsWholeParse(without, rest);
        OnnxImportException e = org.junit.jupiter.api.Assertions.assertThrows(OnnxImportException.class,
                () -> BertOnnx.fromBytes("m.onnx", withExternal.toByteArray()));
        assertTrue(e.getMessage().contains("kept.whole") && e.getMessage().contains("external"), e.getMessage());
    }

    private static OnnxStreamReader.Parsed stream(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(new ByteArrayInputStream(bytes), 1 << 12);
        in.setSizeLimit(Integer.MAX_VALUE);
        return OnnxStreamReader.read("m.onnx", in);
    }

    private static void assertSameAsWholeParse(ModelProto whole, OnnxStreamReader.Parsed p) {
        ModelProto streamed = p.model();
        assertEquals(whole.toBuilder().clearGraph().build(), streamed.toBuilder().clearGraph().build(),
                "the model's fields other than the graph");
        assertEquals(whole.getGraph().toBuilder().clearInitializer().build(),
                streamed.getGraph().toBuilder().clearInitializer().build(), "the graph's nodes, inputs, outputs");
        List<TensorProto> want = whole.getGraph().getInitializerList();
        List<TensorProto> got = streamed.getGraph().getInitializerList();
        assertEquals(want.size(), got.size());
        assertEquals(want.size(), p.decoded().size());
        for (int i = 0; i < want.size(); i++) {
            TensorProto w = want.get(i);
            TensorProto stub = got.get(i);
            assertEquals(w.getName(), stub.getName(), "initializer " + i + " in file order");
            assertEquals(w.getDimsList(), stub.getDimsList(), w.getName());
            assertEquals(w.getDataType(), stub.getDataType(), w.getName());
            assertEquals(0, stub.getRawData().size() + stub.getFloatDataCount(), "a stub holds no data");
            INDArray expected = TensorDecoder.decode("m.onnx", w);
            assertEquals(expected, p.decoded().get(w.getName()), w.getName());
        }
    }
}
