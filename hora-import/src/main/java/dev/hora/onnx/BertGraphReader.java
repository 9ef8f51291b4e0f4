package dev.hora.onnx;

import dev.hora.config.Target;
import dev.hora.onnx.bert.BertWeightNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import onnx.Onnx.NodeProto;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads a {@link BertConfig} and the HF-named weights from an ONNX BERT export, and checks that
 * the file is one: every expected tensor with its shape, no unexpected tensor, only known
 * operators. The sizes come from tensor shapes; heads, epsilon and mask value from the graph
 * (see {@link GraphConstants}).
 */
final class BertGraphReader {
    /** Operators of PyTorch BERT exports (opset 11-17), plus ONNX Runtime's dynamic quantization. */
    static final Set<String> SUPPORTED_OPS = Set.of("Add", "Cast", "Concat", "Constant",
            "ConstantOfShape", "Div", "Equal", "Erf", "Expand", "Gather", "Identity", "LayerNormalization",
            "MatMul", "Mul", "Pow", "Range", "ReduceMean", "Reshape", "Shape", "Slice", "Softmax", "Sqrt",
            "Squeeze", "Sub", "Transpose", "Unsqueeze", "Where", "DynamicQuantizeLinear", "MatMulInteger",
            "DequantizeLinear");
    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\..*");

    record Result(BertConfig config, Map<String, INDArray> weights) {
    }

    private BertGraphReader() {
    }

    static Result read(OnnxGraph g) {
        String src = g.source();
        if (g.nodes().isEmpty() && g.initializers().isEmpty()) {
            throw new OnnxImportException(src, "not an ONNX model: the graph has no nodes and no tensors");
        }
        Map<String, INDArray> buffers = new HashMap<>();
        Map<String, INDArray> named = WeightNames.name(g, Dequantizer.floats(g, buffers));
        INDArray word = named.get(BertWeightNames.WORD_EMBEDDINGS);
        if (word == null || word.rank() != 2) {
            throw new OnnxImportException(src, "not a BERT-family encoder: no tensor "
                    + BertWeightNames.WORD_EMBEDDINGS + " [vocab, hidden] (tensors: " + preview(named.keySet()) + ")");
        }
        checkOperators(g);
        int layers = countLayers(src, named);
        int hidden = (int) word.size(1);
        INDArray ffn = require(src, named, BertWeightNames.weight(0, Target.FFN_IN));
        INDArray pos = require(src, named, BertWeightNames.POSITION_EMBEDDINGS);
        INDArray types = require(src, named, BertWeightNames.TOKEN_TYPE_EMBEDDINGS);
        GraphConstants k = new GraphConstants(g, hidden);
        BertConfig config;
        try {
            config = BertConfig.builder()
                .numLayers(layers)
                .hiddenSize(hidden)
                .numHeads(k.numHeads())
                .intermediateSize((int) ffn.size(ffn.rank() - 1))
                .vocabSize((int) word.size(0))
                .maxPositions((int) pos.size(0))
                .typeVocabSize((int) types.size(0))
                .layerNormEps(k.layerNormEps())
                .maskValue(k.maskValue())
                .build();
        } catch (IllegalArgumentException e) {   // sizes read from tensor shapes (e.g. a 0 dim)
            throw new OnnxImportException(src, "the tensor shapes give no valid BERT config: " + e.getMessage(), e);
        }
        k.checkGeluErf();
        checkPositionIds(src, buffers, config);
        return new Result(config, ordered(src, named, config));
    }

    private static void checkOperators(OnnxGraph g) {
        Set<String> bad = new TreeSet<>();
        for (NodeProto n : g.nodes()) {
            boolean customDomain = !n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx");
            if (customDomain || !SUPPORTED_OPS.contains(n.getOpType())) {
                bad.add((customDomain ? n.getDomain() + "." : "") + n.getOpType());
            }
        }
        if (!bad.isEmpty()) {
            throw new OnnxImportException(g.source(), "unsupported operators " + bad
                    + " (supported: a plain BERT encoder export, float or dynamically int8-quantized)");
        }
    }

    private static int countLayers(String src, Map<String, INDArray> named) {
        int max = -1;
        for (String k : named.keySet()) {
            Matcher m = LAYER.matcher(k);
            if (m.matches()) {
                // a layer index beyond the tensor count cannot be a BERT layer (and may not fit an int)
                if (m.group(1).length() > 6 || Integer.parseInt(m.group(1)) >= named.size()) {
                    throw new OnnxImportException(src, "tensor " + k + ": layer index " + m.group(1)
                            + " is out of range for a graph of " + named.size() + " tensors");
                }
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        if (max < 0) {
            throw new OnnxImportException(src, "not a BERT-family encoder: no encoder.layer.N tensors");
        }
        return max + 1;
    }

    private static INDArray require(String src, Map<String, INDArray> named, String name) {
        INDArray a = named.get(name);
        if (a == null) {
            throw new OnnxImportException(src, "missing tensor " + name);
        }
        return a;
    }

    /** HF order; pooler tensors (unused by the encoder) follow; anything else is unexpected. */
    private static Map<String, INDArray> ordered(String src, Map<String, INDArray> named, BertConfig c) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, long[]> e : BertWeightNames.expected(c).entrySet()) {
            INDArray a = named.get(e.getKey());
            if (a == null) {
                missing.add(e.getKey());
            } else if (!Arrays.equals(a.shape(), e.getValue())) {
                throw new OnnxImportException(src, "tensor " + e.getKey() + " has shape " + Arrays.toString(a.shape())
                        + ", expected " + Arrays.toString(e.getValue()) + " for " + c);
            } else {
                out.put(e.getKey(), a);
            }
        }
        if (!missing.isEmpty()) {
            throw new OnnxImportException(src, "missing tensor" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing));
        }
        List<String> unexpected = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : named.entrySet()) {
            if (e.getKey().startsWith("pooler.")) {
                out.put(e.getKey(), e.getValue());
            } else if (!out.containsKey(e.getKey())) {
                unexpected.add(e.getKey());
            }
        }
        if (!unexpected.isEmpty()) {
            throw new OnnxImportException(src, "unexpected tensor" + (unexpected.size() > 1 ? "s " : " ")
                    + String.join(", ", unexpected) + " (not part of a BERT encoder)");
        }
        return out;
    }

    /** If the export carries position_ids, the encoder's positions 0..s-1 must be what it holds. */
    private static void checkPositionIds(String src, Map<String, INDArray> buffers, BertConfig c) {
        for (Map.Entry<String, INDArray> e : buffers.entrySet()) {
            if (e.getKey().endsWith("position_ids")) {
                long[] v = e.getValue().data().asLong();
                for (int i = 0; i < v.length; i++) {
                    if (v[i] != i) {
                        throw new OnnxImportException(src, "tensor " + e.getKey() + " is not 0, 1, 2, ...: position "
                                + i + " holds " + v[i] + "; offset positions (e.g. RoBERTa) are not supported");
                    }
                }
            }
        }
    }

    private static String preview(Set<String> names) {
        List<String> l = new ArrayList<>(names);
        return l.size() <= 6 ? l.toString() : l.subList(0, 6) + " ... " + l.size() + " in all";
    }
}
