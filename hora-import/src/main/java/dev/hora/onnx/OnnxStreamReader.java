package dev.hora.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.CodedOutputStream;
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
                initializers.add(readInitializer(source, in, decoded));
            } else {
                in.skipField(tag, restOut);
            }
        }
        in.checkLastTagWas(0);
        in.popLimit(limit);
        restOut.flush();
        graph.mergeFrom(rest.toByteString()).addAllInitializer(initializers);
    }

    /**
     * One length-delimited TensorProto: every field but {@code raw_data} parsed as protobuf does, {@code raw_data}
     * copied in chunks of {@link #CHUNK} bytes into native memory (a 47 MB embedding table had been a 47 MB heap array,
     * twice over while protobuf assembled it from the stream), decoded from there, and freed at once.
     */
    private static TensorProto readInitializer(String source, CodedInputStream in, Map<String, INDArray> decoded)
            throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        ByteString.Output rest = ByteString.newOutput();
        CodedOutputStream restOut = CodedOutputStream.newInstance(rest);
        INDArray raw = null;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                if (is(tag, TensorProto.RAW_DATA_FIELD_NUMBER)) {
                    if (raw != null) {
                        raw.close();   // protobuf keeps the last value of a repeated scalar field
                    }
                    int n = in.readRawVarint32();
                    raw = n == 0 ? null : readRaw(in, n);
                } else {
                    in.skipField(tag, restOut);
                }
            }
            in.checkLastTagWas(0);
            in.popLimit(limit);
            restOut.flush();
            TensorProto t = TensorProto.parseFrom(rest.toByteString());
            return decodeEarly(source, t, raw, decoded);
        } finally {
            if (raw != null) {
                raw.close();
            }
        }
    }

    /** Bytes copied from the stream per call: the most raw data on the heap at a time. */
    static final int CHUNK = 1 << 20;

    /** {@code n > 0} bytes of the stream in a new native byte array [n] (the caller closes it). */
    private static INDArray readRaw(CodedInputStream in, int n) throws IOException {
        INDArray raw = Nd4j.createUninitializedDetached(DataType.BYTE, n);
        ByteBuffer b = bytes(raw);
        for (int done = 0; done < n; ) {
            int k = Math.min(CHUNK, n - done);
            b.put(in.readRawBytes(k));
            done += k;
        }
        return raw;
    }

    /** The bytes of a native byte array [n], from position 0 to n. */
    private static ByteBuffer bytes(INDArray raw) {
        ByteBuffer b = raw.data().asNio().duplicate();
        b.position(0).limit((int) raw.length());
        return b;
    }

    /**
     * The stub that stands for t once its value is in {@code decoded}, or t itself (with its raw bytes) where it is
     * not decoded here.
     */
    private static TensorProto decodeEarly(String source, TensorProto t, INDArray raw, Map<String, INDArray> decoded) {
        ByteBuffer bytes = raw == null ? ByteBuffer.allocate(0) : bytes(raw);
        if (decoded.containsKey(t.getName())) {
            return whole(t, bytes);   // a second initializer of this name: left whole for OnnxGraph to refuse
        }
        INDArray value;
        try {
            value = TensorDecoder.decode(source, t, bytes.order(ByteOrder.LITTLE_ENDIAN));
        } catch (OnnxImportException e) {
            return whole(t, bytes);
        }
        decoded.put(t.getName(), value);
        return TensorProto.newBuilder().setName(t.getName()).addAllDims(t.getDimsList())
                .setDataType(t.getDataType()).build();
    }

    private static TensorProto whole(TensorProto t, ByteBuffer bytes) {
        return bytes.remaining() == 0 ? t : t.toBuilder().setRawData(ByteString.copyFrom(bytes.duplicate())).build();
    }

    private static boolean is(int tag, int field) {
        return WireFormat.getTagFieldNumber(tag) == field
                && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }
}
