package dev.hora.onnx;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import onnx.Onnx.NodeProto;

/**
 * Checks that the graph is wired the way the weight names say, since the encoder is rebuilt from
 * the names alone:
 * <ul>
 *   <li>each weight is consumed by a node of the module its name claims: a node named by its
 *       PyTorch module path ({@code /encoder/layer.0/attention/self/query/MatMul}) gives the
 *       name it expects ({@link WeightNames#derive}); a weight whose path-named consumers all
 *       expect another name (names swapped, or a tensor wired elsewhere) is an error;</li>
 *   <li>every encoder layer has the operator sequence of layer 0 (node names relative to the
 *       layer, with their operator types, in graph order; DynamicQuantizeLinear aside), and layer 0 has one Softmax and eight
 *       matrix products (q, k, v, q k^T, attention x v, attention output, intermediate, output),
 *       the shape of the BERT layer the builder reproduces;</li>
 *   <li>every encoder layer computes the operators of that BERT layer, module by module
 *       ({@link BertLayerOps}), so an edit made identically in every layer is caught too.</li>
 * </ul>
 * Nodes without a module-path name (some tools drop them) are not checked.
 */
final class GraphStructure {
    private static final Pattern LAYER = Pattern.compile("/(?:[^/]+/)*?encoder/layer\\.(\\d+)/(.*)");

    private GraphStructure() {
    }

    /**
     * @param named  final (prefix-stripped) name -> the initializer the nodes consume
     * @param prefix the dropped prefix, e.g. {@code "bert."}, or ""
     */
    static void check(OnnxGraph g, Map<String, String> named, String prefix) {
        for (Map.Entry<String, String> e : named.entrySet()) {
            TreeSet<String> claims = new TreeSet<>();
            List<String> nodes = new ArrayList<>();
            for (NodeProto n : g.consumers(e.getValue())) {
                WeightNames.derive(n, n.getInputList().indexOf(e.getValue())).ifPresent(d -> {
                    claims.add(d.startsWith(prefix) ? d.substring(prefix.length()) : d);
                    nodes.add(n.getName());
                });
            }
            if (!claims.isEmpty() && !claims.contains(e.getKey())) {
                throw new OnnxImportException(g.source(), "tensor " + e.getKey() + " (initializer " + e.getValue()
                        + ") is consumed by " + nodes + ", the module" + (claims.size() > 1 ? "s of " : " of ")
                        + claims + ": the graph is not wired as its weight names say");
            }
        }
        Map<Integer, List<String>> layers = new LinkedHashMap<>();
        for (NodeProto n : g.nodes()) {
            Matcher m = LAYER.matcher(n.getName());
            // activation quantization is plumbing the float rebuild does not run (the last layer has one less)
            if (m.matches() && m.group(1).length() < 7 && !n.getOpType().equals("DynamicQuantizeLinear")) {
                layers.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>())
                        .add(m.group(2) + ":" + n.getOpType());
            }
        }
        List<String> first = layers.get(0);
        if (first == null) {
            return;   // no module-path names: nothing to compare
        }
        long softmax = first.stream().filter(s -> s.endsWith(":Softmax")).count();
        long matmul = first.stream().filter(s -> s.endsWith(":MatMul") || s.endsWith(":MatMulInteger")).count();
        if (softmax != 1 || matmul != 8) {
            throw new OnnxImportException(g.source(), "encoder layer 0 has " + softmax + " Softmax and " + matmul
                    + " matrix products; a BERT layer has 1 and 8 (q, k, v, q k^T, attention x v, attention output, "
                    + "intermediate, output)");
        }
        for (Map.Entry<Integer, List<String>> e : layers.entrySet()) {
            String diff = BertLayerOps.difference(e.getValue());
            if (diff != null) {
                throw new OnnxImportException(g.source(), "encoder layer " + e.getKey() + " is not the BERT layer the "
                        + "encoder is rebuilt as: " + diff);
            }
            if (!e.getValue().equals(first)) {
                throw new OnnxImportException(g.source(), "encoder layer " + e.getKey() + " differs from layer 0: "
                        + firstDifference(first, e.getValue()) + "; every layer of a BERT encoder computes the same");
            }
        }
    }

    private static String firstDifference(List<String> a, List<String> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "node " + i + " is " + b.get(i) + ", layer 0 has " + a.get(i);
            }
        }
        return b.size() + " nodes, layer 0 has " + a.size();
    }
}
