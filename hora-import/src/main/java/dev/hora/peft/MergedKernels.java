package dev.hora.peft;

import dev.hora.onnx.BertConfig;
import dev.hora.onnx.bert.BertWeightNames;
import dev.hora.config.Target;
import dev.hora.onnx.bert.Pooling;
import dev.hora.backbone.BertBackbone;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The kernel path of a {@link MergedModel}: what the encoder's shapes do not tell (heads, LayerNorm
 * eps, mask value, pooling) is stored in the merged graph as constants {@code hora.config.*}; the
 * weights are the graph's own constants, by their HF names.
 */
final class MergedKernels {
    static final String HEADS = "hora.config.num_heads";
    static final String EPS = "hora.config.layer_norm_eps";
    static final String MASK = "hora.config.mask_value";
    static final String POOLING = "hora.config.cls_pooling";

    private MergedKernels() {
    }

    static void record(SameDiff sd, BertConfig c, Pooling pooling) {
        sd.constant(HEADS, Nd4j.scalar((double) c.numHeads()));
        sd.constant(EPS, Nd4j.scalar(c.layerNormEps()));
        sd.constant(MASK, Nd4j.scalar((double) c.maskValue()));
        sd.constant(POOLING, Nd4j.scalar(pooling == Pooling.CLS ? 1.0 : 0.0));
    }

    /** The kernel classifier of a merged graph, or null when the graph predates the recorded config. */
    /** The kernel path of a merged graph: its backbone and head; null for files without the config constants. */
    record Path(KernelRunner runner, AdapterSet head, Pooling pooling) {
    }

    static Path of(SameDiff sd) {
        for (String n : new String[]{HEADS, EPS, MASK, POOLING}) {
            if (!sd.hasVariable(n)) {
                return null;
            }
        }
        Map<String, INDArray> w = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getArr() != null) {
                w.put(v.name(), v.getArr());
            }
        }
        int layers = 0;
        while (w.containsKey(BertWeightNames.weight(layers, Target.Q))) {
            layers++;
        }
        INDArray word = w.get(BertWeightNames.WORD_EMBEDDINGS);
        BertConfig c = BertConfig.builder().numLayers(layers).hiddenSize((int) word.size(1))
                .numHeads((int) w.get(HEADS).getDouble(0))
                .intermediateSize((int) w.get(BertWeightNames.weight(0, Target.FFN_IN)).size(1))
                .vocabSize((int) word.size(0)).maxPositions((int) w.get(BertWeightNames.POSITION_EMBEDDINGS).size(0))
                .typeVocabSize((int) w.get(BertWeightNames.TOKEN_TYPE_EMBEDDINGS).size(0))
                .layerNormEps(w.get(EPS).getDouble(0)).maskValue((float) w.get(MASK).getDouble(0)).build();
        Pooling pooling = w.get(POOLING).getDouble(0) == 0 ? Pooling.MEAN : Pooling.CLS;
        return new Path(new KernelRunner(new BertBackbone(c, w, DataType.FLOAT), false),
                AdapterSet.head("merged", w.get(ClassifierHead.WEIGHT), w.get(ClassifierHead.BIAS), pooling), pooling);
    }
}
