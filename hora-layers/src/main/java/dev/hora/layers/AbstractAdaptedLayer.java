package dev.hora.layers;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.AdapterOps;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import dev.hora.layers.impl.HalvedGradientSameDiffLayer;
import dev.hora.layers.impl.ScaledLearningRate;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * Common part of the adapted DL4J layers: frozen pretrained projections {@code y = x W + b} plus one
 * {@link Adapter} that adds {@code x dW} on some of them.
 * <pre>
 *   y_t = x (W_t + dW_t) + b_t      t adapted    (W_t, b_t frozen; adapter params trainable)
 *   y_t = x W_t + b_t               otherwise
 * </pre>
 * <ul>
 *   <li>Parameter order: base weights, adapter parameters, base biases ({@link SDLayerParams} puts weights
 *       before biases). Adapter parameters keep the adapter's names (qA, qB, W1, qZ, ...).</li>
 *   <li>Freezing ({@code freezeBase}, default true): base parameters get {@code Sgd(0.0)} and no
 *       regularization, so they stay bit-identical; their gradients are still computed. NoOp would not
 *       freeze (it applies the raw gradient). Adapter parameters use the layer's (or global) updater,
 *       except the adapter's fixed ones ({@code learnableSeeds = false}: {@code Sgd(0.0)}, no regularization)
 *       and HoRA's generator under {@code generatorLrMultiplier} m (the same updater at m times the rate).</li>
 *   <li>Init: adapter parameters from {@link Adapter#initParams} (dW = 0); base weights from the layer's
 *       weight init, base biases 0; a converter or the user overwrites them with pretrained values.</li>
 *   <li>No adapter ({@code adapter == null}): a plain layer, e.g. after merging, or a linear probe.</li>
 *   <li>The runtime is {@link HalvedGradientSameDiffLayer} (corrects M2.1's doubled gradients).</li>
 * </ul>
 */
public abstract class AbstractAdaptedLayer extends SameDiffLayer {
    private static final long serialVersionUID = 1L;
    /** The updater of frozen parameters: a zero step. */
    public static final IUpdater FROZEN = new Sgd(0.0);

    protected AdapterConfig adapter;
    protected boolean freezeBase = true;

    protected AbstractAdaptedLayer() {
    }

    protected AbstractAdaptedLayer(Builder<?> b) {
        super(b);
        this.adapter = b.adapter == null ? null : b.adapter.copy().validate();
        this.freezeBase = b.freezeBase;
        if (adapter != null && adapter.getDropout() > 0) {
            throw new IllegalArgumentException("adapter dropout = " + adapter.getDropout()
                    + " is not supported by the DL4J layers: allowed 0 (use the layer's dropOut for input dropout)");
        }
    }

    /** True when every size is known (nIn may still come from the input type). */
    protected abstract boolean sized();

    /**
     * Recomputes the cached parameter layout after a setting changed (null while the settings are
     * incomplete, e.g. half-way through JSON deserialisation), so that a configuration read from JSON equals
     * the one written (DL4J's equals compares the cache).
     */
    protected void refreshParams() {
        setLayerParams(null);
        if (sized()) {
            try {
                getLayerParams();
            } catch (IllegalArgumentException incomplete) {
                setLayerParams(null);
            }
        }
    }

    /** The base projections and their shapes, in a stable order. */
    protected abstract Map<Target, ProjectionShape> projections();

    /** Name of the frozen weight of t, e.g. "Wq". */
    protected abstract String weightName(Target t);

    /** Name of the frozen bias of t, e.g. "bq", or null without bias. */
    protected abstract String biasName(Target t);

    /** The projections that carry the adapter (a subset of {@link #projections()}). */
    protected abstract Map<Target, ProjectionShape> adaptedProjections();

    /** The adapter over {@link #adaptedProjections()}, or null when this layer has none. */
    public Adapter createAdapter() {
        return adapter == null ? null : dev.hora.adapter.Adapters.create(adapter, adaptedProjections());
    }

    /** Name of the pretrained weight of projection t (the one the adapter's dW_t is added to). */
    public final String baseWeightName(Target t) {
        return weightName(t);
    }

    /** Names of the pretrained (frozen when {@code freezeBase}) parameters. */
    public Set<String> baseParamNames() {
        Set<String> s = new java.util.LinkedHashSet<>();
        for (Target t : projections().keySet()) {
            s.add(weightName(t));
            if (biasName(t) != null) {
                s.add(biasName(t));
            }
        }
        return s;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.clear();
        projections().forEach((t, p) -> params.addWeightParam(weightName(t), p.dIn(), p.dOut())); // [d_in, d_out]
        Adapter a = createAdapter();
        if (a != null) {
            a.paramShapes().forEach(params::addWeightParam);
        }
        projections().forEach((t, p) -> {
            if (biasName(t) != null) {
                params.addBiasParam(biasName(t), 1, p.dOut());                                     // [1, d_out]
            }
        });
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            projections().forEach((t, p) -> {
                INDArray w = params.get(weightName(t));
                IWeightInit init = paramWeightInit != null && paramWeightInit.containsKey(weightName(t))
                        ? paramWeightInit.get(weightName(t))
                        : (weightInit == null ? WeightInit.XAVIER : weightInit).getWeightInitFunction();
                init.init(p.dIn(), p.dOut(), w.shape(), 'c', w);
                if (biasName(t) != null) {
                    params.get(biasName(t)).assign(0);
                }
            });
            Adapter a = createAdapter();
            if (a != null) {
                DataType dt = params.values().iterator().next().dataType();
                int layer = getLayerName() == null ? 0 : getLayerName().hashCode();   // layers start apart
                a.initParams(dt, layer).forEach((n, v) -> params.get(n).assign(v));
            }
        }
    }

    /**
     * The projection t of {@code x [n, d_in]}: {@code [n, d_out]}, adapted when the adapter targets t.
     * Adapter parameters are looked up in {@code paramTable} under the adapter's names.
     */
    protected SDVariable project(SameDiff sd, Adapter a, Map<String, SDVariable> paramTable, SDVariable x, Target t) {
        SDVariable w = paramTable.get(weightName(t));
        SDVariable b = biasName(t) == null ? null : paramTable.get(biasName(t));
        if (a == null || !a.projections().containsKey(t)) {
            SDVariable y = x.mmul(w);                                    // [n, d_out]
            return b == null ? y : y.add(b);
        }
        Map<String, SDVariable> ap = new LinkedHashMap<>();
        a.paramShapes().keySet().forEach(n -> ap.put(n, paramTable.get(n)));
        return AdapterOps.project(sd, x, x, w, b, a.factors(sd, ap, t), a.projections().get(t),
                adapter.getApplyMode());
    }

    /**
     * Frozen base parameters and the adapter's fixed ones ({@link Adapter#trainable} false: HoRA's seeds
     * with {@code learnableSeeds = false}) get {@link #FROZEN}; adapter parameters with an
     * {@link Adapter#lrMultiplier} m != 1 (HoRA's generator with {@code generatorLrMultiplier}) get the
     * layer's updater at m times its learning rate ({@link ScaledLearningRate}).
     *
     * @throws IllegalArgumentException when m != 1 and the layer's updater has no learning rate
     */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        if (freezeBase && baseParamNames().contains(paramName)) {
            return FROZEN;
        }
        Adapter a = createAdapter();
        if (a != null && a.paramShapes().containsKey(paramName)) {
            if (!a.trainable(paramName)) {
                return FROZEN;
            }
            double m = a.lrMultiplier(paramName);
            if (m != 1.0) {
                return ScaledLearningRate.scale(super.getUpdaterByParam(paramName), m, "generatorLrMultiplier");
            }
        }
        return super.getUpdaterByParam(paramName);
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (freezeBase && baseParamNames().contains(paramName)) {
            return Collections.emptyList();
        }
        Adapter a = createAdapter();
        if (a != null && a.paramShapes().containsKey(paramName) && !a.trainable(paramName)) {
            return Collections.emptyList();
        }
        return super.getRegularizationByParam(paramName);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> listeners, int layerIndex, INDArray view, boolean initializeParams,
            DataType networkDataType) {
        HalvedGradientSameDiffLayer ret = new HalvedGradientSameDiffLayer(conf, networkDataType);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(view);
        ret.setParamTable(initializer().init(conf, view, initializeParams));
        ret.setConf(conf);
        return ret;
    }

    @Override
    public AbstractAdaptedLayer clone() {
        AbstractAdaptedLayer c = (AbstractAdaptedLayer) super.clone();
        c.adapter = adapter == null ? null : adapter.copy();
        return c;
    }

    // ---- bean accessors (DL4J JSON) ----

    /** The adapter's settings, or null for a plain (merged / probe) layer. */
    public AdapterConfig getAdapter() { return adapter; }
    public void setAdapter(AdapterConfig adapter) { this.adapter = adapter; refreshParams(); }
    /** True (default): pretrained parameters get a zero update and no regularization. */
    public boolean isFreezeBase() { return freezeBase; }
    public void setFreezeBase(boolean freezeBase) { this.freezeBase = freezeBase; }

    @Override
    public boolean equals(Object o) {
        return o instanceof AbstractAdaptedLayer l && super.equals(o) && freezeBase == l.freezeBase
                && Objects.equals(adapter, l.adapter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), freezeBase, adapter);
    }

    static void check(boolean ok, String setting, Object value, String range) {
        dev.hora.util.Checks.check(ok, setting, value, range);
    }

    /** Builder settings shared by the adapted layers (DL4J builder conventions). */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<T extends Builder<T>> extends SameDiffLayer.Builder<T> {
        protected AdapterConfig adapter;
        protected boolean freezeBase = true;

        /** The adapter's settings; null (default) for a layer without adapter. */
        public T adapter(AdapterConfig adapter) { this.adapter = adapter; return (T) this; }

        /** Freeze the pretrained parameters (default true). */
        public T freezeBase(boolean freezeBase) { this.freezeBase = freezeBase; return (T) this; }
    }
}
