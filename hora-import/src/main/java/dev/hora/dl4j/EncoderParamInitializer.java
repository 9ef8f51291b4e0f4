package dev.hora.dl4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * DL4J's view of a {@link PretrainedEncoder}'s parameters: only the adapter's trainable tensors
 * ({@link EncoderLayout}), each an 'f'-order view into the flat parameter (and gradient) array (the
 * order DL4J's {@code setParams} and frozen copies assume); the
 * encoder's weights are not parameters. All of them count as weights (regularization applies).
 * Initial values: the adapter kind's init (dW = 0), as {@code AdapterSet.create} draws them.
 */
public final class EncoderParamInitializer implements ParamInitializer {
    public static final EncoderParamInitializer INSTANCE = new EncoderParamInitializer();

    private EncoderParamInitializer() {
    }

    private static PretrainedEncoder conf(Layer layer) {
        if (!(layer instanceof PretrainedEncoder p)) {
            throw new IllegalArgumentException("EncoderParamInitializer is for PretrainedEncoder layers, got "
                    + layer.getClass().getName());
        }
        return p;
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        return conf(layer).layout().numParams();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return new ArrayList<>(conf(layer).layout().trainable().keySet());
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return paramKeys(layer);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return List.of();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return conf(layer).layout().trainable().containsKey(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        EncoderLayout layout = conf(conf.getLayer()).layout();
        Map<String, INDArray> views = views(layout, paramsView);
        views.keySet().forEach(conf::addVariable);   // DL4J's list of the layer's parameters (setParams, frozen copies)
        if (initializeParams) {
            layout.initialValues(paramsView.dataType()).forEach((l, ps) -> ps.forEach((p, v) -> {
                INDArray view = views.get(dev.hora.peft.AdapterSet.varName(l, p));
                if (view != null) {
                    view.assign(v);
                }
            }));
        }
        return views;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        return views(conf(conf.getLayer()).layout(), gradientView);
    }

    /** Key -> an 'f'-order view of its slice of the flat array [1, n]. */
    private static Map<String, INDArray> views(EncoderLayout layout, INDArray flat) {
        if (flat.length() != layout.numParams()) {
            throw new IllegalArgumentException("parameter view of " + flat.length() + " scalars, the encoder's adapter"
                    + " has " + layout.numParams());
        }
        INDArray row = flat.reshape(flat.length());
        Map<String, INDArray> out = new LinkedHashMap<>();
        long off = 0;
        for (Map.Entry<String, long[]> e : layout.trainable().entrySet()) {
            long n = EncoderLayout.length(e.getValue());
            out.put(e.getKey(), row.get(NDArrayIndex.interval(off, off + n)).reshape('f', e.getValue()));
            off += n;
        }
        return out;
    }
}
