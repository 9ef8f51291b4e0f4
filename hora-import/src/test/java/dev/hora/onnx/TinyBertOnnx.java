package dev.hora.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Writes a small random BERT encoder as ONNX (opset 17) with the node names and patterns of a
 * PyTorch/HF export: anonymous {@code onnx::MatMul_N} weights named by their nodes, Reshape to
 * [0, 0, H, d_h], Div by sqrt(d_h), (1 - mask) * maskValue, erf GELU, and either decomposed
 * LayerNorms (ReduceMean/Pow/Add(eps)/Sqrt) or LayerNormalization nodes.
 */
final class TinyBertOnnx {
    int layers = 2;
    int hidden = 32;
    int heads = 4;
    int ffn = 64;
    int vocab = 50;
    int maxPositions = 24;
    int typeVocab = 2;
    float eps = 1e-5f;
    float maskValue = -10000f;
    boolean layerNormOp = false;
    long seed = 7;

    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<TensorProto> inits = new ArrayList<>();
    private Random rnd;
    private int anon = 100;
    private int constants;

    ModelProto build() {
        nodes.clear();
        inits.clear();
        rnd = new Random(seed);
        int dh = hidden / heads;
        String mf = node("Cast", "/Cast", List.of(node("Unsqueeze", "/Unsqueeze", "attention_mask",
                longs("/Constant_axes", 1, 2))), attrInt("to", TensorProto.DataType.FLOAT_VALUE));
        String inv = node("Sub", "/Sub", floats("/Constant", 1f), mf);
        String ext = node("Mul", "/Mul", inv, floats("/Constant_1", maskValue));            // [b, 1, 1, s]

        init("embeddings.position_ids", TensorProto.DataType.INT64_VALUE, new long[] {1, maxPositions}, null);
        String seq = node("Gather", "/embeddings/Gather", List.of(node("Shape", "/embeddings/Shape", "input_ids"),
                longScalar("/embeddings/Constant", 1)), attrInt("axis", 0));
        String seq1 = node("Unsqueeze", "/embeddings/Unsqueeze", seq, longs("/embeddings/Constant_u", 0));
        String pids = node("Slice", "/embeddings/Slice", "embeddings.position_ids", longs("/embeddings/Constant_1", 0),
                seq1, longs("/embeddings/Constant_2", 1));
        String word = node("Gather", "/embeddings/word_embeddings/Gather",
                weight("embeddings.word_embeddings.weight", 0.5, vocab, hidden), "input_ids");
        String type = node("Gather", "/embeddings/token_type_embeddings/Gather",
                weight("embeddings.token_type_embeddings.weight", 0.5, typeVocab, hidden), "token_type_ids");
        String pos = node("Gather", "/embeddings/position_embeddings/Gather",
                weight("embeddings.position_embeddings.weight", 0.5, maxPositions, hidden), pids);
        String x = layerNorm("/embeddings/LayerNorm", "embeddings.LayerNorm",
                node("Add", "/embeddings/Add_1", node("Add", "/embeddings/Add", word, type), pos));
        String shape4 = longs("/Constant_shape4", 0, 0, heads, dh);
        String shape3 = longs("/Constant_shape3", 0, 0, hidden);
        for (int l = 0; l < layers; l++) {
            String p = "/encoder/layer." + l;
            String s = p + "/attention/self";
            String q = node("Transpose", s + "/Transpose_1", List.of(node("Reshape", s + "/Reshape_2",
                    dense(s + "/query", l, "attention.self.query", x, hidden, hidden), shape4)), perm(0, 2, 1, 3));
            String k = node("Transpose", s + "/Transpose_2", List.of(node("Reshape", s + "/Reshape",
                    dense(s + "/key", l, "attention.self.key", x, hidden, hidden), shape4)), perm(0, 2, 3, 1));
            String v = node("Transpose", s + "/Transpose", List.of(node("Reshape", s + "/Reshape_1",
                    dense(s + "/value", l, "attention.self.value", x, hidden, hidden), shape4)), perm(0, 2, 1, 3));
            String scores = node("Add", s + "/Add", node("Div", s + "/Div", node("MatMul", s + "/MatMul", q, k),
                    floats(s + "/Constant_12", (float) Math.sqrt(dh))), ext);
            String probs = node("Softmax", s + "/Softmax", List.of(scores), attrInt("axis", -1));
            String ctx = node("Reshape", s + "/Reshape_3", node("Transpose", s + "/Transpose_3",
                    List.of(node("MatMul", s + "/MatMul_1", probs, v)), perm(0, 2, 1, 3)), shape3);
            String a = dense(p + "/attention/output/dense", l, "attention.output.dense", ctx, hidden, hidden);
            String h = layerNorm(p + "/attention/output/LayerNorm", "encoder.layer." + l + ".attention.output.LayerNorm",
                    node("Add", p + "/attention/output/Add", a, x));
            String f = gelu(p + "/intermediate/intermediate_act_fn",
                    dense(p + "/intermediate/dense", l, "intermediate.dense", h, hidden, ffn));
            String o = dense(p + "/output/dense", l, "output.dense", f, ffn, hidden);
            x = layerNorm(p + "/output/LayerNorm", "encoder.layer." + l + ".output.LayerNorm",
                    node("Add", p + "/output/Add", o, h));
        }
        nodes.add(NodeProto.newBuilder().setOpType("Identity").setName("/Identity").addInput(x)
                .addOutput("last_hidden_state").build());
        GraphProto.Builder g = GraphProto.newBuilder().setName("tiny_bert").addAllNode(nodes).addAllInitializer(inits);
        for (String in : new String[] {"input_ids", "attention_mask", "token_type_ids"}) {
            g.addInput(valueInfo(in, TensorProto.DataType.INT64_VALUE, "batch_size", "sequence_length", null));
        }
        g.addOutput(valueInfo("last_hidden_state", TensorProto.DataType.FLOAT_VALUE, "batch_size",
                "sequence_length", (long) hidden));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("hora-test").setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).build();
    }

    private String dense(String scope, int layer, String module, String x, int in, int out) {
        String w = "onnx::MatMul_" + anon++;
        weight(w, 1.0 / Math.sqrt(in), in, out);
        String b = weight("encoder.layer." + layer + "." + module + ".bias", 0.1, out);
        return node("Add", scope + "/Add", b, node("MatMul", scope + "/MatMul", x, w));
    }

    private String layerNorm(String scope, String module, String x) {
        String gamma = init(module + ".weight", TensorProto.DataType.FLOAT_VALUE, new long[] {hidden}, 1.0);
        String beta = weight(module + ".bias", 0.1, hidden);
        if (layerNormOp) {
            return node("LayerNormalization", scope + "/LayerNormalization", List.of(x, gamma, beta),
                    attrInt("axis", -1), AttributeProto.newBuilder().setName("epsilon")
                            .setType(AttributeProto.AttributeType.FLOAT).setF(eps).build());
        }
        AttributeProto axes = AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS)
                .addInts(-1).build();
        String mean = node("ReduceMean", scope + "/ReduceMean", List.of(x), axes);
        String centred = node("Sub", scope + "/Sub", x, mean);
        String sq = node("Pow", scope + "/Pow", centred, floats(scope + "/Constant", 2f));
        String var = node("ReduceMean", scope + "/ReduceMean_1", List.of(sq), axes);
        String std = node("Sqrt", scope + "/Sqrt", node("Add", scope + "/Add", var, floats(scope + "/Constant_1", eps)));
        String normed = node("Div", scope + "/Div", centred, std);
        return node("Add", scope + "/Add_1", node("Mul", scope + "/Mul", normed, gamma), beta);
    }

    private String gelu(String scope, String z) {
        String e = node("Erf", scope + "/Erf", node("Div", scope + "/Div", z, floats(scope + "/Constant", (float) Math.sqrt(2))));
        String m = node("Mul", scope + "/Mul", z, node("Add", scope + "/Add", e, floats(scope + "/Constant_1", 1f)));
        return node("Mul", scope + "/Mul_1", m, floats(scope + "/Constant_2", 0.5f));
    }

    private String node(String op, String name, String... inputs) {
        return node(op, name, List.of(inputs));
    }

    private String node(String op, String name, List<String> inputs, AttributeProto... attrs) {
        String out = name + "_output_0";
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(out);
        for (AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        nodes.add(n.build());
        return out;
    }

    private String constant(String name, TensorProto value) {
        String out = name + "_output_0_" + constants++;
        nodes.add(NodeProto.newBuilder().setOpType("Constant").setName(name).addOutput(out)
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(value)).build());
        return out;
    }

    private String floats(String name, float v) {
        return constant(name, TensorProto.newBuilder().setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(v).build());
    }

    private String longScalar(String name, long v) {
        return constant(name, TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(v).build());
    }

    private String longs(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addDims(v.length);
        for (long x : v) {
            t.addInt64Data(x);
        }
        return constant(name, t.build());
    }

    private String weight(String name, double std, long... shape) {
        return init(name, TensorProto.DataType.FLOAT_VALUE, shape, -std);
    }

    /** fill: null = 0..n-1 (int64); negative = N(0, -fill); positive = fill + N(0, 0.1). */
    private String init(String name, int type, long[] shape, Double fill) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
        long n = 1;
        for (long d : shape) {
            t.addDims(d);
            n *= d;
        }
        for (long i = 0; i < n; i++) {
            if (fill == null) {
                t.addInt64Data(i);
            } else {
                t.addFloatData((float) (fill < 0 ? -fill * rnd.nextGaussian() : fill + 0.1 * rnd.nextGaussian()));
            }
        }
        inits.add(t.build());
        return name;
    }

    private static AttributeProto attrInt(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto perm(long... p) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName("perm").setType(AttributeProto.AttributeType.INTS);
        for (long x : p) {
            a.addInts(x);
        }
        return a.build();
    }

    private static ValueInfoProto valueInfo(String name, int type, String d0, String d1, Long d2) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(d0))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(d1));
        if (d2 != null) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d2));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(s))).build();
    }
}
