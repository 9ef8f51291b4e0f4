package dev.hora.dl4j;

import dev.hora.adapter.FactorKernels;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.adapter.FactorSource.Values;
import dev.hora.backbone.BertBackbone;
import dev.hora.backbone.Dropouts;
import dev.hora.config.AdapterConfig;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.kernel.EncoderPass;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The runtime of {@link PretrainedEncoder}: forward and backward on the kernel engine
 * ({@link EncoderPass}, the pass the kernel objective of {@code hora finetune} runs):
 * <pre>
 *   activate:  theta (DL4J's view) -> F = FactorKernels.forward()  ->  out = pool(encoder(ids, mask; F))
 *              the pass's saved activations live in DL4J's ACTIVATIONS workspace, which stays open
 *              until backprop (as every DL4J layer's input does)
 *   backprop:  dF = encoder.backward(pool^T eps)  ->  dtheta = FactorKernels.backward(dF)  -> DL4J's gradient view
 *              eps for the token ids: zeros (they have no gradient)
 * </pre>
 * The frozen encoder is shared ({@link Encoders}); per step only the adapter's parameters (a few
 * hundred KB) are copied from DL4J's view into the arrays the factor kernels read.
 */
public class PretrainedEncoderLayer extends BaseLayer<PretrainedEncoder> {
    private static final long serialVersionUID = 1L;
    /** The workspace of the backward pass's temporaries. */
    static final String BACKWARD = "hora-dl4j-backward";
    private transient BertBackbone backbone;
    private transient FactorKernels kernels;
    private transient Map<Integer, Map<String, INDArray>> live;
    private transient EncoderPass pass;
    private transient long[] passShape;

    public PretrainedEncoderLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** The shared frozen encoder this layer runs on, in the network's data type. */
    public BertBackbone backbone() {
        runtime();
        return backbone;
    }

    private void runtime() {
        if (kernels == null) {
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {   // they outlive every step
                buildRuntime();
            }
        }
    }

    private void buildRuntime() {
        PretrainedEncoder c = layerConf();
        backbone = Encoders.backbone(c.getEncoder(), c.getEncoderSha256(), dataType);
        EncoderLayout layout = c.layout();
        live = layout.initialValues(dataType);
        kernels = new FactorKernels(layout.adapters(), live, AdapterSet::varName);
    }

    /** Copies DL4J's parameter view into the arrays the factor kernels read. */
    private void pullParams() {
        live.forEach((l, ps) -> ps.forEach((p, v) -> {
            INDArray view = params.get(AdapterSet.varName(l, p));
            if (view != null) {
                v.assign(view);
            }
        }));
    }

    /** Every adapter tensor's current value (trainable from the parameter view, fixed ones too), per encoder layer. */
    public Map<Integer, Map<String, INDArray>> adapterValues() {
        runtime();
        pullParams();
        Map<Integer, Map<String, INDArray>> m = new LinkedHashMap<>();
        live.forEach((l, ps) -> {
            Map<String, INDArray> c = new LinkedHashMap<>();
            ps.forEach((p, v) -> c.put(p, v.dup()));
            m.put(l, c);
        });
        return m;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        assertInputSet(false);
        runtime();
        pullParams();
        if (input.rank() != 2) {
            throw new IllegalArgumentException("layer '" + layerId() + "': input must be token ids [batch, sequence],"
                    + " got shape " + Arrays.toString(input.shape()));
        }
        long b = input.size(0);
        long s = input.size(1);
        if (maskArray != null && !Arrays.equals(maskArray.shape(), input.shape())) {
            throw new IllegalArgumentException("layer '" + layerId() + "': the features mask must be the attention"
                    + " mask " + Arrays.toString(input.shape()) + ", got " + Arrays.toString(maskArray.shape()));
        }
        PretrainedEncoder c = layerConf();
        AdapterConfig a = c.getAdapter();
        Dropouts drop = training && a.getDropout() > 0 ? new Dropouts(a.getDropout(), a.getSeed(), getIterationCount())
                : Dropouts.NONE;
        Map<Key, Values> f = kernels.forward();
        pass = null;
        try (MemoryWorkspace ws = mgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            INDArray mask = maskArray != null ? maskArray : Nd4j.ones(dataType, b, s);
            INDArray types = Nd4j.zeros(DataType.INT, b, s);
            EncoderPass p = EncoderPass.forward(backbone, f, input, mask, types, pooling(c.getOutput()), training, drop);
            INDArray out = p.output();
            if (c.getOutput() == PretrainedEncoder.Output.SEQUENCE) {
                out = out.reshape(b, s, out.size(1)).permute(0, 2, 1).dup('c');
            }
            if (training) {
                pass = p;
                passShape = new long[]{b, s};
            }
            return out;
        }
    }

    private static Pooling pooling(PretrainedEncoder.Output o) {
        return switch (o) {
            case MEAN -> Pooling.MEAN;
            case CLS -> Pooling.CLS;
            case SEQUENCE -> Pooling.NONE;
        };
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (pass == null) {
            throw new IllegalStateException("layer '" + layerId() + "': backpropGradient without a training forward"
                    + " pass (activate(true, ...)) before it");
        }
        EncoderPass p = pass;
        pass = null;
        Map<Key, Values> dF;
        try (MemoryWorkspace ws = Workspaces.open(BACKWARD)) {
            INDArray dOut = layerConf().getOutput() == PretrainedEncoder.Output.SEQUENCE
                    ? epsilon.permute(0, 2, 1).dup('c').reshape(passShape[0] * passShape[1], epsilon.size(1))
                    : epsilon.dup('c');
            dF = p.factorGradients(dOut);
        }
        Map<String, INDArray> g = kernels.backward(dF);
        Gradient grad = new DefaultGradient(gradientsFlattened);
        for (String k : layerConf().layout().trainable().keySet()) {
            INDArray view = gradientViews.get(k);
            view.assign(g.get(k));
            grad.gradientForVariable().put(k, view);
        }
        return new Pair<>(grad, mgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape()));
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray mask, MaskState state, int minibatchSize) {
        this.maskArray = mask;
        this.maskState = state;
        return new Pair<>(layerConf().getOutput() == PretrainedEncoder.Output.SEQUENCE ? mask : null, state);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return false;
    }

    @Override
    public Type type() {
        return Type.FEED_FORWARD;
    }

    @Override
    public void clear() {
        super.clear();
        pass = null;
    }
}
