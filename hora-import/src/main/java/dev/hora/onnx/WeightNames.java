package dev.hora.onnx;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import onnx.Onnx.NodeProto;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gives every float tensor of an export a readable, stable HF-style name.
 *
 * <p>Named initializers ({@code encoder.layer.0.attention.self.query.bias}) keep their name.
 * Anonymous ones ({@code onnx::MatMul_787}) are named from the node that consumes them, whose name
 * is the PyTorch module path: {@code /encoder/layer.0/attention/self/query/MatMul} gives
 * {@code encoder.layer.0.attention.self.query.weight}. MatMul/MatMulInteger/Gemm/Gather inputs are
 * {@code .weight}, Add inputs {@code .bias}, Mul inputs (LayerNorm gamma) {@code .weight}. A common
 * prefix such as {@code bert.} (an export of a task model) is dropped. Weights keep the ONNX
 * layout [in, out] (y = x W + b), the transpose of PyTorch's Linear.weight.
 */
final class WeightNames {
    private static final Pattern READABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)+");
    static final String WORD = "embeddings.word_embeddings.weight";

    private WeightNames() {
    }

    static Map<String, INDArray> name(OnnxGraph g, Map<String, Dequantizer.Logical> floats) {
        Map<String, Dequantizer.Logical> named = readable(g, floats);
        String prefix = prefix(named.keySet());
        Map<String, INDArray> out = new LinkedHashMap<>();
        Map<String, String> consumed = new LinkedHashMap<>();
        for (Map.Entry<String, Dequantizer.Logical> e : named.entrySet()) {
            String k = e.getKey().startsWith(prefix) ? e.getKey().substring(prefix.length()) : e.getKey();
            out.put(k, e.getValue().value());
            consumed.put(k, e.getValue().consumedAs());
        }
        GraphStructure.check(g, consumed, prefix);
        return out;
    }

    /** HF name (as {@link #name} gives it) to the name of the initializer the graph's nodes consume. */
    static Map<String, String> initializerNames(OnnxGraph g, Map<String, Dequantizer.Logical> floats) {
        Map<String, Dequantizer.Logical> named = readable(g, floats);
        String prefix = prefix(named.keySet());
        Map<String, String> out = new LinkedHashMap<>();
        named.forEach((k, t) -> out.put(k.startsWith(prefix) ? k.substring(prefix.length()) : k, t.consumedAs()));
        return out;
    }

    private static Map<String, Dequantizer.Logical> readable(OnnxGraph g, Map<String, Dequantizer.Logical> floats) {
        Map<String, Dequantizer.Logical> named = new LinkedHashMap<>();
        for (Dequantizer.Logical t : floats.values()) {
            // a tensor that cannot be named keeps its file name and is reported later as unexpected
            String name = READABLE.matcher(t.name()).matches() ? t.name() : fromConsumers(g, t).orElse(t.name());
            if (named.put(name, t) != null) {
                throw new OnnxImportException(g.source(), "two tensors map to the name " + name);
            }
        }
        return named;
    }

    private static Optional<String> fromConsumers(OnnxGraph g, Dequantizer.Logical t) {
        List<NodeProto> users = g.consumers(t.consumedAs());
        TreeSet<String> names = new TreeSet<>();
        for (NodeProto n : users) {
            derive(n, n.getInputList().indexOf(t.consumedAs())).ifPresent(names::add);
        }
        return names.size() == 1 ? Optional.of(names.first()) : Optional.empty();
    }

    /** "/encoder/layer.0/attention/self/query/MatMul" used as input 1 -> "encoder.layer.0.attention.self.query.weight". */
    static Optional<String> derive(NodeProto node, int inputIndex) {
        String path = node.getName();
        int cut = path.lastIndexOf('/');
        if (!path.startsWith("/") || cut <= 0) {
            return Optional.empty();
        }
        String module = path.substring(1, cut).replace('/', '.');
        switch (node.getOpType()) {
            case "MatMul":
            case "MatMulInteger":
            case "Gemm":
                return Optional.of(module + (inputIndex == 2 ? ".bias" : ".weight"));
            case "Gather":
            case "Mul":
                return Optional.of(module + ".weight");
            case "Add":
                return Optional.of(module + ".bias");
            case "LayerNormalization":
                return Optional.of(module + (inputIndex == 2 ? ".bias" : ".weight"));
            default:
                return Optional.empty();
        }
    }

    /** A common prefix such as "bert." (an export of a task model), or "". */
    private static String prefix(java.util.Set<String> names) {
        if (names.contains(WORD)) {
            return "";
        }
        String prefix = "";
        for (String k : names) {
            if (k.endsWith("." + WORD)) {
                prefix = k.substring(0, k.length() - WORD.length());
            }
        }
        return prefix;
    }
}
