package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Bad files get an {@link OnnxImportException} naming the file and the problem, fast. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {
    @TempDir
    static Path dir;
    private static byte[] tiny;

    @BeforeAll
    static void build() {
        tiny = new TinyBertOnnx().build().toByteArray();
    }

    private static void expect(Path file, String... parts) {
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> BertOnnx.load(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    private static Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void missingFile() {
        expect(dir.resolve("nope.onnx"), "file not found");
    }

    @Test
    void missingResource() {
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> BertOnnx.fromResource("nope.onnx"));
        assertTrue(e.getMessage().startsWith("classpath:nope.onnx: resource not found"), e.getMessage());
    }

    @Test
    void emptyFile() throws Exception {
        expect(write("empty.onnx", new byte[0]), "empty file");
    }

    @Test
    void textFileIsNotOnnx() throws Exception {
        expect(write("notes.onnx", "this is not a model, just some text\n".repeat(20)
                .getBytes(StandardCharsets.UTF_8)), "not an ONNX model");
    }

    @Test
    void truncatedFile() throws Exception {
        expect(write("truncated.onnx", Arrays.copyOf(tiny, tiny.length / 2)), "truncated");
    }

    @Test
    void missingTensor() throws Exception {
        ModelProto m = ModelProto.parseFrom(tiny);
        GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals("encoder.layer.1.attention.self.key.bias")) {
                g.removeInitializer(i);
                break;
            }
        }
        expect(write("missing.onnx", m.toBuilder().setGraph(g).build().toByteArray()),
                "missing tensor encoder.layer.1.attention.self.key.bias");
    }

    @Test
    void misshapenTensor() throws Exception {
        ModelProto m = ModelProto.parseFrom(tiny);
        GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            if (g.getInitializer(i).getName().equals("encoder.layer.0.output.LayerNorm.weight")) {
                TensorProto t = g.getInitializer(i);
                g.setInitializer(i, t.toBuilder().clearDims().addDims(31).clearFloatData()
                        .addAllFloatData(t.getFloatDataList().subList(0, 31)));
            }
        }
        expect(write("misshapen.onnx", m.toBuilder().setGraph(g).build().toByteArray()),
                "encoder.layer.0.output.LayerNorm.weight", "[31]", "expected [32]");
    }

    @Test
    void notABertEncoder() throws Exception {
        // y = relu(x W): a plain MLP
        TensorProto w = TensorProto.newBuilder().setName("fc.weight").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(2).addDims(2).addAllFloatData(Arrays.asList(1f, 2f, 3f, 4f)).build();
        GraphProto g = GraphProto.newBuilder().setName("mlp").addInitializer(w)
                .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("/fc/MatMul").addInput("x")
                        .addInput("fc.weight").addOutput("h"))
                .addNode(NodeProto.newBuilder().setOpType("Relu").setName("/Relu").addInput("h").addOutput("y"))
                .build();
        expect(write("mlp.onnx", ModelProto.newBuilder().setIrVersion(8).setGraph(g).build().toByteArray()),
                "not a BERT-family encoder", "embeddings.word_embeddings.weight");
    }

    @Test
    void unsupportedOperator() throws Exception {
        // the tiny BERT with its feed-forward GELU's Erf replaced by a fused contrib op
        ModelProto m = ModelProto.parseFrom(tiny);
        GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("Erf")) {
                g.setNode(i, g.getNode(i).toBuilder().setOpType("FastGelu").setDomain("com.microsoft"));
            }
        }
        expect(write("fused.onnx", m.toBuilder().setGraph(g).build().toByteArray()),
                "unsupported operators", "com.microsoft.FastGelu");
    }

    @Test
    void unexpectedTensor() throws Exception {
        ModelProto m = ModelProto.parseFrom(tiny);
        GraphProto.Builder g = m.getGraph().toBuilder().addInitializer(TensorProto.newBuilder()
                .setName("classifier.weight").setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(1).addFloatData(1f));
        expect(write("extra.onnx", m.toBuilder().setGraph(g).build().toByteArray()),
                "unexpected tensor classifier.weight");
    }

    @Test
    void differentActivation() throws Exception {
        ModelProto m = ModelProto.parseFrom(tiny);
        GraphProto.Builder g = m.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("Erf")) {
                g.setNode(i, g.getNode(i).toBuilder().setOpType("Sigmoid"));
            }
        }
        Executable load = () -> BertOnnx.fromBytes("sig.onnx", m.toBuilder().setGraph(g).build().toByteArray());
        OnnxImportException e = assertThrows(OnnxImportException.class, load);
        assertTrue(e.getMessage().startsWith("sig.onnx: unsupported operators [Sigmoid]"), e.getMessage());
    }
}
