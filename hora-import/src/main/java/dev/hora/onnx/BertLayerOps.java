package dev.hora.onnx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operators of one BERT encoder layer as the rebuilt encoder computes them, module by module
 * (node names relative to the layer, e.g. {@code attention/output/Add}), in graph order:
 * <pre>
 *   attention/self/{query,key,value}, attention/output/dense, intermediate/dense, output/dense   MatMul Add
 *   attention/self                     MatMul (Div|Mul) Add Softmax MatMul     q k^T, scale, mask, softmax, x v
 *   attention/output, output           Add                                     the residual sums
 *   attention/output/LayerNorm, output/LayerNorm
 *                                      ReduceMean Sub Pow ReduceMean Add Sqrt Div Mul Add  |  LayerNormalization
 *   intermediate/intermediate_act_fn   (Div|Mul) Erf Add Mul Mul  |  Gelu     GELU, erf form
 * </pre>
 * Shape plumbing (Shape, Gather, Reshape, Transpose, Constant, Cast, ...) and the scale products of
 * a dynamically quantised MatMul ({@code *_quant*} Mul nodes) are not compared; MatMulInteger counts
 * as MatMul; a layer with an operator the import does not support is left to that check. An edit made in every layer alike (a residual Add turned into Sub, the mask Add removed,
 * a GELU Mul turned into Div) passes a comparison of the layers with each other but not this one.
 */
final class BertLayerOps {
    private static final Set<String> PLUMBING = Set.of("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Reshape",
            "Transpose", "Constant", "ConstantOfShape", "Cast", "Identity", "DynamicQuantizeLinear", "Slice", "Expand",
            "Flatten", "Equal", "Range", "DequantizeLinear");
    private static final List<String> LINEAR = List.of("MatMul Add");
    private static final List<String> LAYER_NORM = List.of("ReduceMean Sub Pow ReduceMean Add Sqrt Div Mul Add",
            "LayerNormalization");
    private static final Map<String, List<String>> EXPECTED = new LinkedHashMap<>();

    static {
        for (String m : List.of("attention/self/query", "attention/self/key", "attention/self/value",
                "attention/output/dense", "intermediate/dense", "output/dense")) {
            EXPECTED.put(m, LINEAR);
        }
        EXPECTED.put("attention/self", List.of("MatMul Div Add Softmax MatMul", "MatMul Mul Add Softmax MatMul"));
        EXPECTED.put("attention/output", List.of("Add"));
        EXPECTED.put("output", List.of("Add"));
        EXPECTED.put("attention/output/LayerNorm", LAYER_NORM);
        EXPECTED.put("output/LayerNorm", LAYER_NORM);
        EXPECTED.put("intermediate/intermediate_act_fn", List.of("Div Erf Add Mul Mul", "Mul Erf Add Mul Mul", "Gelu"));
    }

    private BertLayerOps() {
    }

    /**
     * @param nodes the layer's nodes as {@code relative/name:OpType}, in graph order
     * @return null when the layer computes a BERT layer, else what differs (module, found, expected)
     */
    static String difference(List<String> nodes) {
        Map<String, List<String>> ops = new LinkedHashMap<>();
        for (String n : nodes) {
            int colon = n.lastIndexOf(':');
            String name = n.substring(0, colon);
            String op = n.substring(colon + 1);
            int slash = name.lastIndexOf('/');
            String module = slash < 0 ? "" : name.substring(0, slash);
            if (!BertGraphReader.SUPPORTED_OPS.contains(op)) {
                return null;   // the import refuses the operator itself, naming it
            }
            if (PLUMBING.contains(op) || op.equals("Mul") && name.substring(slash + 1).contains("_quant")) {
                continue;
            }
            ops.computeIfAbsent(module, k -> new ArrayList<>()).add(op.equals("MatMulInteger") ? "MatMul" : op);
        }
        for (Map.Entry<String, List<String>> e : ops.entrySet()) {
            if (!EXPECTED.containsKey(e.getKey())) {
                return "module '" + e.getKey() + "' computes " + e.getValue() + ", which a BERT layer does not have";
            }
        }
        for (Map.Entry<String, List<String>> e : EXPECTED.entrySet()) {
            String found = String.join(" ", ops.getOrDefault(e.getKey(), List.of()));
            if (!e.getValue().contains(found)) {
                return "module '" + e.getKey() + "' computes [" + found + "], a BERT layer computes "
                        + (e.getValue().size() == 1 ? "[" + e.getValue().get(0) + "]"
                        : "one of " + e.getValue().stream().map(s -> "[" + s + "]").toList()) + " there";
            }
        }
        return null;
    }
}
