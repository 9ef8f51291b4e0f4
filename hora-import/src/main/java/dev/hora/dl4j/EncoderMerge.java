package dev.hora.dl4j;

import dev.hora.adapter.Adapter;
import dev.hora.io.peft.SavedAdapter;
import dev.hora.io.peft.SavedClassifier;
import dev.hora.onnx.ImportedBert;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.MergedModel;
import dev.hora.peft.PeftModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained network {@code ids -> PretrainedEncoder (MEAN or CLS) -> softmax OutputLayer} as the
 * library's models, for inference without DL4J:
 * <pre>
 *   toPeftModel:  the encoder + one adapter (the layer's theta) with the output layer as its head
 *                 (W [d, C], b [1, C]; probabilities = softmax(pooled W + b), the network's output)
 *   merge:        the same folded into the frozen weights: W'_t = W_t + dW_t, a {@link MergedModel}
 * </pre>
 * The output layer must take the encoder's output directly and use a softmax activation.
 */
public final class EncoderMerge {
    private EncoderMerge() {
    }

    /** {@link #toPeftModel} folded into the weights: a plain inference model of constants. */
    public static MergedModel merge(ComputationGraph net, String encoderLayer, String outputLayer) {
        return toPeftModel(net, encoderLayer, outputLayer, PeftModel.DEFAULT).merge(PeftModel.DEFAULT);
    }

    /**
     * The network's encoder, adapter and head as a {@link PeftModel} whose adapter {@code name} is active.
     *
     * @throws IllegalArgumentException naming the layer that does not fit
     */
    public static PeftModel toPeftModel(ComputationGraph net, String encoderLayer, String outputLayer, String name) {
        PretrainedEncoderLayer enc = encoder(net.getLayer(encoderLayer), encoderLayer);
        PretrainedEncoder conf = enc.layerConf();
        if (conf.getOutput() == PretrainedEncoder.Output.SEQUENCE) {
            throw new IllegalArgumentException("layer '" + encoderLayer + "' outputs the sequence: a merged classifier"
                    + " needs MEAN or CLS pooling");
        }
        List<String> inputs = net.getConfiguration().getVertexInputs().get(outputLayer);
        if (inputs == null || !inputs.equals(List.of(encoderLayer))) {
            throw new IllegalArgumentException("layer '" + outputLayer + "' must take the output of '" + encoderLayer
                    + "' directly, its inputs are " + inputs);
        }
        Layer out = net.getLayer(outputLayer);
        if (!(out.conf().getLayer() instanceof BaseOutputLayer o) || !(o.getActivationFn() instanceof ActivationSoftmax)) {
            throw new IllegalArgumentException("layer '" + outputLayer + "' must be an output layer with a softmax"
                    + " activation, got " + out.conf().getLayer().getClass().getSimpleName());
        }
        INDArray w = out.getParam("W").castTo(DataType.FLOAT).dup('c');
        INDArray b = out.getParam("b").castTo(DataType.FLOAT).reshape(1, w.size(1)).dup('c');
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < w.size(1); i++) {
            labels.add(Integer.toString(i));
        }
        ImportedBert bert = Encoders.bert(conf.getEncoder(), conf.getEncoderSha256());
        Map<Integer, Map<String, INDArray>> values = new LinkedHashMap<>();
        enc.adapterValues().forEach((l, ps) -> {
            Map<String, INDArray> f = new LinkedHashMap<>();
            ps.forEach((p, v) -> f.put(p, v.castTo(DataType.FLOAT)));
            values.put(l, f);
        });
        Adapter first = conf.layout().adapters().values().iterator().next();
        SavedAdapter saved = new SavedAdapter(conf.getAdapter(), conf.getEncoder(), bert.config().numLayers(),
                first.projections(), values);
        SavedClassifier head = new SavedClassifier(w, b, conf.getOutput() == PretrainedEncoder.Output.CLS ? "cls"
                : "mean", labels, 0);
        PeftModel m = PeftModel.of(bert);
        m.addAdapter(AdapterSet.from(name, m.backbone(), saved, head));
        m.setActiveAdapter(name);
        return m;
    }

    /** The encoder layer inside DL4J's frozen wrappers (TransferLearning's feature extractor). */
    private static PretrainedEncoderLayer encoder(Layer l, String name) {
        Layer inner = l instanceof FrozenLayer f ? f.getInsideLayer()
                : l instanceof FrozenLayerWithBackprop f ? f.getInsideLayer() : l;
        if (!(inner instanceof PretrainedEncoderLayer p)) {
            throw new IllegalArgumentException("layer '" + name + "' is not a PretrainedEncoder layer: "
                    + (l == null ? "no such layer" : l.getClass().getSimpleName()));
        }
        return p;
    }
}
