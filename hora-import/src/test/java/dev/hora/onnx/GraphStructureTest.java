package dev.hora.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A graph not wired as its weight names say is refused instead of imported as another model. */
class GraphStructureTest {
    private static ModelProto tiny;

    @BeforeAll
    static void build() {
        tiny = new TinyBertOnnx().build();
    }

    private static void expect(GraphProto.Builder g, String... parts) {
        byte[] m = tiny.toBuilder().setGraph(g).build().toByteArray();
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> BertOnnx.fromBytes("m.onnx", m));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void swappedWeightNames() {
        String q = "encoder.layer.0.attention.self.query.bias";
        String k = "encoder.layer.0.attention.self.key.bias";
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            String n = g.getInitializer(i).getName();
            if (n.equals(q) || n.equals(k)) {
                g.setInitializer(i, g.getInitializer(i).toBuilder().setName(n.equals(q) ? k : q));
            }
        }
        for (int i = 0; i < g.getNodeCount(); i++) {   // keep the wiring: each node reads the value it read before
            var node = g.getNode(i).toBuilder();
            for (int j = 0; j < node.getInputCount(); j++) {
                String in = node.getInput(j);
                if (in.equals(q) || in.equals(k)) {
                    node.setInput(j, in.equals(q) ? k : q);
                }
            }
            g.setNode(i, node);
        }
        expect(g, "tensor encoder.layer.0.attention.self", "/encoder/layer.0/attention/self/", "not wired as its weight names say");
    }

    @Test
    void aLayerThatComputesSomethingElse() {
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().equals("/encoder/layer.1/attention/self/Div")) {
                g.setNode(i, g.getNode(i).toBuilder().setOpType("Mul"));
            }
        }
        expect(g, "encoder layer 1 differs from layer 0", "attention/self/Div:Mul", "attention/self/Div:Div");
    }

    @Test
    void aLayerWithoutAttentionSoftmax() {
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getOpType().equals("Softmax")) {
                g.setNode(i, g.getNode(i).toBuilder().setOpType("Identity").clearAttribute());
            }
        }
        expect(g, "encoder layer 0 has 0 Softmax and 8 matrix products");
    }

    /** Every layer's node named {@code /encoder/layer.N/SUFFIX} gets {@code opType}. */
    private static GraphProto.Builder everyLayer(String suffix, String opType) {
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        int n = 0;
        for (int i = 0; i < g.getNodeCount(); i++) {
            if (g.getNode(i).getName().matches("/encoder/layer\\.\\d+/" + suffix)) {
                g.setNode(i, g.getNode(i).toBuilder().setOpType(opType));
                n++;
            }
        }
        assertTrue(n >= 2, suffix + " found in " + n + " layers");
        return g;
    }

    @Test
    void theResidualAddTurnedIntoSubInEveryLayer() {
        expect(everyLayer("attention/output/Add", "Sub"), "encoder layer 0 is not the BERT layer",
                "module 'attention/output' computes [Sub], a BERT layer computes [Add]");
    }

    @Test
    void geluMulTurnedIntoDivInEveryLayer() {
        expect(everyLayer("intermediate/intermediate_act_fn/Mul", "Div"), "encoder layer 0 is not the BERT layer",
                "module 'intermediate/intermediate_act_fn' computes [Div Erf Add Div Mul]");
    }

    @Test
    void theAttentionMaskAddRemovedFromEveryLayer() {
        GraphProto.Builder g = tiny.getGraph().toBuilder();
        java.util.Map<String, String> bypass = new java.util.HashMap<>();   // the Add's output -> its scores input
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
            var node = g.getNode(i);
            if (node.getName().matches("/encoder/layer\\.\\d+/attention/self/Add")) {
                String layer = node.getName().substring(0, node.getName().indexOf("/attention/"));
                String scores = node.getInputList().stream().filter(in -> g.getNodeList().stream().anyMatch(
                        p -> p.getName().equals(layer + "/attention/self/Div") && p.getOutputList().contains(in)))
                        .findFirst().orElseThrow();
                bypass.put(node.getOutput(0), scores);
                g.removeNode(i);
            }
        }
        assertTrue(bypass.size() >= 2);
        for (int i = 0; i < g.getNodeCount(); i++) {
            var node = g.getNode(i).toBuilder();
            for (int j = 0; j < node.getInputCount(); j++) {
                node.setInput(j, bypass.getOrDefault(node.getInput(j), node.getInput(j)));
            }
            g.setNode(i, node);
        }
        expect(g, "encoder layer 0 is not the BERT layer",
                "module 'attention/self' computes [MatMul Div Softmax MatMul]");
    }
}
