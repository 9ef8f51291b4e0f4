package dev.hora.onnx;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.CodedOutputStream;
import org.nd4j.shade.protobuf.ExtensionRegistryLite;
import org.nd4j.shade.protobuf.WireFormat;

/**
 * Parses an ONNX {@code ModelProto} from a stream and decodes each graph initializer as soon as it is read, so
 * that at most one tensor's serialized bytes are on the heap at a time (a whole-message parse holds every
 * tensor's bytes, ~90 MB for MiniLM, until the last is decoded: the import's memory peak).
 *
 * <p>The returned model is the file's model with each decoded initializer replaced by a stub (name, dims, data
 * type, no data); its values are in {@link Parsed#decoded()} by name. An initializer whose decoding fails (an
 * unsupported type, external data, a wrong byte count) is kept whole and not decoded, so that the import refuses
 * it where it reads it, with the same message as before.
 */
final class OnnxStreamReader {
    /** The model (decoded initializers as stubs) and the decoded initializer values by name. */
    record Parsed(ModelProto model, Map<String, INDArray> decoded) {
    }

    private OnnxStreamReader() {
    }

    static Parsed read(String source, CodedInputStream in) throws IOException {
        Map<String, INDArray> decoded = new HashMap<>();
        ByteString.Output rest = ByteString.newOutput();
        CodedOutputStream restOut = CodedOutputStream.newInstance(rest);
        GraphProto.Builder graph = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (is(tag, ModelProto.GRAPH_FIELD_NUMBER)) {
                graph = graph == null ? GraphProto.newBuilder() : graph;
                readGraph(source, in, graph, decoded);
            } else {
                in.skipField(tag, restOut);
            }
        }
        restOut.flush();
        ModelProto.Builder model = ModelProto.newBuilder().mergeFrom(rest.toByteString());
        if (graph != null) {
            model.setGraph(graph);
        }
        return new Parsed(model.build(), decoded);
    }

    /** One length-delimited graph message, merged into {@code graph}; its initializers decoded one by one. */
    private static void readGraph(String source, CodedInputStream in, GraphProto.Builder graph,
                                  Map<String, INDArray> decoded) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        ByteString.Output rest = ByteString.newOutput();
        CodedOutputStream restOut = CodedOutputStream.newInstance(rest);
        List<TensorProto> initializers = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (is(tag, GraphProto.INITIALIZER_FIELD_NUMBER)) {
                TensorProto t = in.readMessage(TensorProto.parser(), ExtensionRegistryLite.getEmptyRegistry());
                initializers.add(decodeEarly(source, t, decoded));
            } else {
                in.skipField(tag, restOut);
            }
        }
        in.checkLastTagWas(0);
        in.popLimit(limit);
        restOut.flush();
        graph.mergeFrom(rest.toByteString()).addAllInitializer(initializers);
    }

    /** The stub that stands for t once its value is in {@code decoded}, or t itself where it is not decoded here. */
    private static TensorProto decodeEarly(String source, TensorProto t, Map<String, INDArray> decoded) {
        if (decoded.containsKey(t.getName())) {
            return t;   // a second initializer of this name: left whole for OnnxGraph to refuse
        }
        INDArray value;
        try {
            value = TensorDecoder.decode(source, t);
        } catch (OnnxImportException e) {
            return t;
        }
        decoded.put(t.getName(), value);
        return TensorProto.newBuilder().setName(t.getName()).addAllDims(t.getDimsList())
                .setDataType(t.getDataType()).build();
    }

    private static boolean is(int tag, int field) {
        return WireFormat.getTagFieldNumber(tag) == field
                && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }
}
