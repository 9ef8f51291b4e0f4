package dev.hora.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Read-only index of an ONNX graph: initializers by name, the producer and consumers of every
 * value, and constant folding of initializers and {@code Constant} nodes.
 */
final class OnnxGraph {
    private final String source;
    private final GraphProto graph;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Map<String, INDArray> decoded;

    OnnxGraph(String source, GraphProto graph) {
        this(source, graph, Map.of());
    }

    /** A graph whose initializers named in {@code decoded} are stubs, their values decoded already. */
    OnnxGraph(String source, GraphProto graph, Map<String, INDArray> decoded) {
        this.source = source;
        this.graph = graph;
        this.decoded = decoded;
        for (TensorProto t : graph.getInitializerList()) {
            if (initializers.put(t.getName(), t) != null) {
                throw new OnnxImportException(source, "two initializers are named '" + t.getName()
                        + "' (ambiguous: ONNX requires unique names)");
            }
        }
        for (NodeProto n : graph.getNodeList()) {
            for (String out : n.getOutputList()) {
                if (out.isEmpty()) {
                    continue;   // an omitted optional output
                }
                NodeProto before = producers.put(out, n);
                if (before != null || initializers.containsKey(out)) {
                    throw new OnnxImportException(source, "value '" + out + "' is produced twice (by node '"
                            + n.getName() + "' and " + (before != null ? "node '" + before.getName() + "'"
                            : "an initializer") + "); ONNX graphs assign each value once");
                }
            }
            for (String in : n.getInputList()) {
                consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
            }
        }
    }

    String source() {
        return source;
    }

    List<NodeProto> nodes() {
        return graph.getNodeList();
    }

    Map<String, TensorProto> initializers() {
        return Collections.unmodifiableMap(initializers);
    }

    /** The value of initializer t: decoded while the file was read, or now. */
    INDArray value(TensorProto t) {
        INDArray v = decoded.get(t.getName());   // names are unique (checked above); undecoded ones were kept whole
        return v != null ? v : TensorDecoder.decode(source, t);
    }

    Optional<NodeProto> producer(String value) {
        return Optional.ofNullable(producers.get(value));
    }

    List<NodeProto> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /**
     * The value of {@code name} if it is an initializer or the output of a {@code Constant} node
     * (optionally behind {@code Unsqueeze}/{@code Cast}/{@code Identity}, which do not change its
     * values), else empty.
     */
    Optional<INDArray> constant(String name) {
        TensorProto init = initializers.get(name);
        if (init != null) {
            return Optional.of(decoded.containsKey(name) ? value(init).dup() : value(init));
        }
        NodeProto p = producers.get(name);
        if (p == null) {
            return Optional.empty();
        }
        switch (p.getOpType()) {
            case "Constant":
                for (AttributeProto a : p.getAttributeList()) {
                    if (a.getName().equals("value") && a.hasT()) {
                        return Optional.of(TensorDecoder.decode(source, a.getT()));
                    }
                }
                return Optional.empty();
            case "Unsqueeze":
            case "Cast":
            case "Identity":
                return p.getInputCount() >= 1 ? constant(p.getInput(0)).map(a -> a.reshape(-1)) : Optional.empty();
            default:
                return Optional.empty();
        }
    }

    /** The single-number value of {@code name} if it is a constant with exactly one element. */
    Optional<Double> scalar(String name) {
        return constant(name).filter(a -> a.length() == 1).map(a -> a.getDouble(0));
    }

    static Optional<AttributeProto> attribute(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
