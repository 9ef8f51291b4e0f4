package dev.hora.onnx;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import onnx.Onnx.NodeProto;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The encoder constants that live in the graph rather than in tensor shapes.
 *
 * <ul>
 * <li><b>Heads H</b>: the attention splits Q, K and V with a {@code Reshape} to [b, s, H, d_h],
 *   whose shape is a constant or a {@code Concat} of [b], [s], [H], [d_h] with constant H and d_h;
 *   H d_h must equal the hidden width. The score scale is cross-checked: {@code Div} by sqrt(d_h)
 *   (or {@code Mul} by 1/sqrt(d_h)). If no Reshape constant is found, d_h = c^2 from the scale.</li>
 * <li><b>LayerNorm eps</b>: the {@code epsilon} attribute of {@code LayerNormalization} nodes, or
 *   in the decomposed form ReduceMean, Sub, Pow 2, ReduceMean, <b>Add(eps)</b>, Sqrt, Div: the
 *   constant added before the {@code Sqrt} under a {@code LayerNorm} scope. All must agree.</li>
 * <li><b>Mask value</b>: the extended mask is (1 - mask) * m; m is the constant of that {@code Mul}
 *   (float32 min in recent HF exports, -10000 in older ones).</li>
 * </ul>
 */
final class GraphConstants {
    private final OnnxGraph g;
    private final int hidden;

    GraphConstants(OnnxGraph g, int hidden) {
        this.g = g;
        this.hidden = hidden;
    }

    private List<NodeProto> scope(String part) {
        List<NodeProto> out = new ArrayList<>();
        for (NodeProto n : g.nodes()) {
            if (n.getName().contains(part)) {
                out.add(n);
            }
        }
        return out;
    }

    int numHeads() {
        List<NodeProto> attn = scope("encoder/layer.0/attention/self/");
        Integer heads = null;
        for (NodeProto n : attn) {
            if (n.getOpType().equals("Reshape") && n.getInputCount() == 2) {
                long[] dims = reshapeTail(n.getInput(1));
                if (dims != null && dims[0] > 0 && dims[0] * dims[1] == hidden) {
                    heads = (int) dims[0];
                    break;
                }
            }
        }
        Double headDimFromScale = scoreScaleHeadDim(attn);
        if (heads == null && headDimFromScale != null) {
            long dh = Math.round(headDimFromScale);
            if (dh > 0 && hidden % dh == 0) {
                heads = (int) (hidden / dh);
            }
        }
        if (heads == null) {
            throw new OnnxImportException(g.source(), "cannot find the number of attention heads: no Reshape to"
                    + " [b, s, H, d_h] nor a sqrt(d_h) score scale under encoder/layer.0/attention/self/");
        }
        if (headDimFromScale != null && Math.abs(headDimFromScale - (double) hidden / heads) > 1e-3 * hidden / heads) {
            throw new OnnxImportException(g.source(), "attention scale gives d_h = " + headDimFromScale
                    + " but the Reshape gives " + heads + " heads of " + hidden / heads);
        }
        return heads;
    }

    /** The last two entries [H, d_h] of a 4-d reshape target, if they are constants. */
    private long[] reshapeTail(String shapeInput) {
        Optional<INDArray> c = g.constant(shapeInput);
        if (c.isPresent() && c.get().length() == 4) {
            return new long[] {c.get().getLong(2), c.get().getLong(3)};
        }
        Optional<NodeProto> p = g.producer(shapeInput);
        if (p.isPresent() && p.get().getOpType().equals("Concat") && p.get().getInputCount() == 4) {
            Optional<Double> h = g.scalar(p.get().getInput(2));
            Optional<Double> dh = g.scalar(p.get().getInput(3));
            if (h.isPresent() && dh.isPresent()) {
                return new long[] {Math.round(h.get()), Math.round(dh.get())};
            }
        }
        return null;
    }

    /** d_h implied by the constant that scales Q K^T (Div by c: c^2; Mul by c: 1/c^2), or null. */
    private Double scoreScaleHeadDim(List<NodeProto> attn) {
        for (NodeProto n : attn) {
            boolean div = n.getOpType().equals("Div");
            if ((div || n.getOpType().equals("Mul")) && n.getInputCount() == 2) {
                boolean fromMatMul = g.producer(n.getInput(0)).map(p -> p.getOpType().equals("MatMul")).orElse(false);
                Optional<Double> c = g.scalar(n.getInput(1));
                if (fromMatMul && c.isPresent() && c.get() > 0) {
                    return div ? c.get() * c.get() : 1.0 / (c.get() * c.get());
                }
            }
        }
        return null;
    }

    double layerNormEps() {
        TreeSet<Double> found = new TreeSet<>();
        for (NodeProto n : g.nodes()) {
            if (n.getOpType().equals("LayerNormalization")) {
                found.add(OnnxGraph.attribute(n, "epsilon").map(a -> (double) a.getF()).orElse(1e-5));
            } else if (n.getOpType().equals("Sqrt") && n.getName().contains("LayerNorm/")) {
                g.producer(n.getInput(0)).filter(p -> p.getOpType().equals("Add")).ifPresent(add -> {
                    for (String in : add.getInputList()) {
                        g.scalar(in).ifPresent(found::add);
                    }
                });
            }
        }
        if (found.isEmpty()) {
            throw new OnnxImportException(g.source(), "cannot find the LayerNorm epsilon: no LayerNormalization node"
                    + " and no LayerNorm/Sqrt(var + eps) pattern");
        }
        if (found.last() > found.first() * (1 + 1e-5)) {
            throw new OnnxImportException(g.source(), "LayerNorms use different epsilons " + found);
        }
        return found.first();
    }

    float maskValue() {
        TreeSet<Double> found = new TreeSet<>();
        for (NodeProto n : g.nodes()) {
            if (n.getOpType().equals("Mul") && !n.getName().contains("encoder/") && n.getInputCount() == 2) {
                for (String in : n.getInputList()) {
                    g.scalar(in).filter(v -> v <= -1000).ifPresent(found::add);
                }
            }
        }
        if (found.size() != 1) {
            throw new OnnxImportException(g.source(), found.isEmpty()
                    ? "cannot find the attention mask constant: no (1 - mask) * m with m <= -1000"
                    : "several attention mask constants " + found);
        }
        return found.first().floatValue();
    }

    /** The feed-forward activation must be exact GELU: 0.5 x (1 + erf(x / sqrt 2)). */
    void checkGeluErf() {
        TreeSet<String> ops = new TreeSet<>();
        boolean erf = false;
        for (NodeProto n : scope("encoder/layer.0/intermediate/")) {
            if (!n.getOpType().equals("MatMul") && !n.getOpType().equals("MatMulInteger")) {
                ops.add(n.getOpType());
            }
            erf |= n.getOpType().equals("Erf");
        }
        if (!erf) {
            throw new OnnxImportException(g.source(), "unsupported feed-forward activation: encoder/layer.0/intermediate"
                    + " uses " + ops + ", expected exact GELU with Erf");
        }
    }

}
