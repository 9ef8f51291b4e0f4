package dev.hora.backbone;

import dev.hora.onnx.BertConfig;
import dev.hora.onnx.bert.BertWeightNames;
import dev.hora.config.Target;
import dev.hora.kernels.Linear;
import dev.hora.kernels.PackedLinear;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The frozen tensors of one BERT layer in the kernel path's layout (the imported arrays themselves,
 * shared, except the fused Q|K|V copy):
 * <pre>
 *   qkvW [d, 3d] = [W_q | W_k | W_v],  qkvB [3d]      (one GEMM for the three projections)
 *   oW [d, d], oB;  iW [d, f], iB;  outW [f, d], outB;  ln1 / ln2 gamma, beta [d]
 * </pre>
 * Each projection is also a {@link PackedLinear}: products of few rows (inference on short inputs) read its
 * weight as panels, made on first use.
 */
record LayerWeights(INDArray qkvW, INDArray qkvB, INDArray oW, INDArray oB, INDArray iW, INDArray iB,
                    INDArray outW, INDArray outB, INDArray ln1G, INDArray ln1B, INDArray ln2G, INDArray ln2B,
                    PackedLinear qkv, PackedLinear o, PackedLinear ffnIn, PackedLinear ffnOut) {

    LayerWeights(INDArray qkvW, INDArray qkvB, INDArray oW, INDArray oB, INDArray iW, INDArray iB,
                 INDArray outW, INDArray outB, INDArray ln1G, INDArray ln1B, INDArray ln2G, INDArray ln2B) {
        this(qkvW, qkvB, oW, oB, iW, iB, outW, outB, ln1G, ln1B, ln2G, ln2B, new PackedLinear(qkvW, qkvB),
                new PackedLinear(oW, oB), new PackedLinear(iW, iB), new PackedLinear(outW, outB));
    }

    /** y = x W + b through the frozen projection whose weight is {@code effective}, or the BLAS for W + dW. */
    static INDArray forward(PackedLinear frozen, INDArray x, INDArray effective) {
        return effective == frozen.weight() ? frozen.forward(x) : Linear.forward(x, effective, frozen.bias());
    }

    static LayerWeights of(BertConfig c, Map<String, INDArray> w, int l, DataType t) {
        INDArray qkvW = Nd4j.hstack(get(w, BertWeightNames.weight(l, Target.Q), t), get(w, BertWeightNames.weight(l, Target.K), t),
                get(w, BertWeightNames.weight(l, Target.V), t));
        INDArray qkvB = Nd4j.concat(0, get(w, BertWeightNames.bias(l, Target.Q), t), get(w, BertWeightNames.bias(l, Target.K), t),
                get(w, BertWeightNames.bias(l, Target.V), t));
        String ln1 = BertWeightNames.layer(l, BertWeightNames.ATTENTION_LN);
        String ln2 = BertWeightNames.layer(l, BertWeightNames.OUTPUT_LN);
        return new LayerWeights(qkvW, qkvB,
                get(w, BertWeightNames.weight(l, Target.O), t), get(w, BertWeightNames.bias(l, Target.O), t),
                get(w, BertWeightNames.weight(l, Target.FFN_IN), t), get(w, BertWeightNames.bias(l, Target.FFN_IN), t),
                get(w, BertWeightNames.weight(l, Target.FFN_OUT), t), get(w, BertWeightNames.bias(l, Target.FFN_OUT), t),
                get(w, ln1 + ".weight", t), get(w, ln1 + ".bias", t), get(w, ln2 + ".weight", t), get(w, ln2 + ".bias", t));
    }

    static INDArray get(Map<String, INDArray> w, String name, DataType t) {
        INDArray a = w.get(name);
        if (a == null) {
            throw new IllegalArgumentException("tensor " + name + " is missing");
        }
        if (a.dataType() == t && a.ordering() == 'c' && !a.isView()) {
            return a;                                          // shared with the import: frozen, never written
        }
        return a.castTo(t).dup('c');
    }
}
