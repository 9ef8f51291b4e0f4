package dev.hora.peft;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.FactorKernels;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.adapter.FactorSource.Values;
import dev.hora.backbone.Backbone;
import dev.hora.config.AdapterConfig;
import dev.hora.io.peft.SavedAdapter;
import dev.hora.io.peft.SavedClassifier;
import dev.hora.onnx.bert.Pooling;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One named adapter of a {@link PeftModel}: its config, the per-layer {@link Adapter}s over the sites it
 * adapts, its own parameter store (plain arrays, no SameDiff graph) and its classification head:
 * <pre>
 *   parameters:  adapter.layer.&lt;l&gt;.&lt;p&gt;  (Adapter#paramShapes of layer l)     classifier.weight [d, n], classifier.bias [1, n]
 *   inference:   F = factors(theta), computed once (FactorKernels) and cached until theta changes
 *   merge:       dW_site = [a_1 b_1 | ... | a_G b_G]  per adapted site
 * </pre>
 * With no adapter config it is a linear probe (head only); with {@code numClasses == 0} it has no head
 * (embeddings only). The arrays of {@link #parameters()} are live: writes to them change the adapter (the
 * cached inference factors notice by a fingerprint of the values).
 */
public final class AdapterSet {
    private final String name;
    private final AdapterConfig config;
    private final Map<Integer, Adapter> layers;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Pooling pooling;
    private final int numClasses;
    private final FactorKernels kernels;
    private final FactorCache factors;

    private AdapterSet(String name, AdapterConfig config, Map<Integer, Adapter> layers,
                       Map<Integer, Map<String, INDArray>> layerParams, INDArray[] head, Pooling pooling) {
        this.name = checkName(name);
        this.config = config;
        this.layers = Collections.unmodifiableMap(new TreeMap<>(layers));
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        if (pooling == Pooling.NONE) {
            throw new IllegalArgumentException("pooling = NONE: an adapter needs MEAN or CLS pooling");
        }
        this.numClasses = head == null ? 0 : (int) head[0].size(1);
        this.layers.forEach((l, a) -> layerParams.get(l).forEach((p, v) -> params.put(varName(l, p), v)));
        if (head != null) {
            params.put(ClassifierHead.WEIGHT, head[0]);
            params.put(ClassifierHead.BIAS, head[1]);
        }
        this.kernels = layers.isEmpty() ? null : new FactorKernels(this.layers, layerParams, AdapterSet::varName);
        this.factors = new FactorCache(kernels, params.entrySet().stream().filter(e -> e.getKey().startsWith("adapter."))
                .map(Map.Entry::getValue).toList());
    }

    /**
     * A fresh adapter on {@code backbone}: one adapter of {@code config}'s kind per layer over the sites
     * {@code selector} picks (default: the config's targets in every layer), initialised so that dW = 0,
     * and a head of {@code numClasses} outputs (0: none) drawn from {@code headSeed}.
     * A null config is a linear probe: only the head.
     */
    public static AdapterSet create(String name, Backbone backbone, AdapterConfig config, ModuleSelector selector,
                                    Pooling pooling, int numClasses, long headSeed) {
        Map<Integer, Adapter> layers = Map.of();
        Map<Integer, Map<String, INDArray>> params = new TreeMap<>();
        if (config != null) {
            config.validate();
            layers = (selector == null ? ModuleSelector.modules(config.getTargets()) : selector).plan(backbone, config);
            layers.forEach((l, a) -> params.put(l, a.initParams(DataType.FLOAT, l)));
        }
        if (numClasses == 1 || numClasses < 0) {
            throw new IllegalArgumentException("numClasses = " + numClasses + " is out of range: allowed 0 (no head) or >= 2");
        }
        if (config == null && numClasses == 0) {
            throw new IllegalArgumentException("adapter '" + name + "': neither an adapter config nor a head");
        }
        INDArray[] head = numClasses == 0 ? null : ClassifierHead.init(backbone.hiddenSize(), numClasses, headSeed);
        return new AdapterSet(name, config, layers, params, head, pooling);
    }

    /**
     * An adapter read from a folder ({@code AdapterFolder.read}: PEFT LoRA, or this library's MH-LoRA /
     * HoRA format) with its head if the folder has one ({@code ClassifierFile.read}); the arrays are
     * taken as they are.
     *
     * @throws IllegalArgumentException naming the adapter and what does not fit the backbone
     */
    public static AdapterSet from(String name, Backbone backbone, SavedAdapter saved, SavedClassifier head) {
        if (saved.numLayers() != backbone.numLayers()) {
            throw new IllegalArgumentException("adapter '" + name + "' was saved for " + saved.numLayers()
                    + " layers, the " + backbone.family() + " backbone has " + backbone.numLayers());
        }
        Map<Integer, Adapter> layers = new TreeMap<>();
        Map<Integer, Map<String, INDArray>> params = new TreeMap<>();
        saved.layers().forEach((l, ps) -> {
            Adapter a = dev.hora.adapter.Adapters.create(saved.config(), saved.projections());
            a.paramShapes().forEach((n, shape) -> {
                INDArray v = ps.get(n);
                if (v == null || !java.util.Arrays.equals(v.shape(), shape)) {
                    throw new IllegalArgumentException("adapter '" + name + "' layer " + l + ": tensor " + n
                            + (v == null ? " is missing" : " has shape " + java.util.Arrays.toString(v.shape())
                            + ", expected " + java.util.Arrays.toString(shape)));
                }
            });
            layers.put(l, a);
            Map<String, INDArray> own = new LinkedHashMap<>();
            a.paramShapes().keySet().forEach(n -> own.put(n, ps.get(n).castTo(DataType.FLOAT).dup('c')));
            params.put(l, own);
        });
        Pooling pooling = head == null ? Pooling.MEAN : Pooling.valueOf(head.pooling().toUpperCase(java.util.Locale.ROOT));
        INDArray[] h = head == null ? null : new INDArray[]{head.weight().castTo(DataType.FLOAT).dup('c'),
                head.bias().castTo(DataType.FLOAT).reshape(1, head.bias().length()).dup('c')};
        AdapterSet set = new AdapterSet(name, saved.config(), layers, params, h, pooling);
        set.layers.forEach((l, a) -> a.projections().forEach((t, shape) -> {
            if (!backbone.site(l, t).fits(shape)) {
                throw new IllegalArgumentException("adapter '" + name + "' layer " + l + " " + t + " is built for "
                        + shape + ", the backbone's site is " + backbone.site(l, t).shape());
            }
        }));
        return set;
    }

    /** A head-only adapter of these arrays (shared, not copied): a merged model's classifier. */
    static AdapterSet head(String name, INDArray weight, INDArray bias, Pooling pooling) {
        return new AdapterSet(name, null, Map.of(), Map.of(), new INDArray[]{weight, bias}, pooling);
    }

    /** A head-only copy of this adapter (its head's values and pooling), e.g. after a merge folded dW into W. */
    AdapterSet headOnly() {
        INDArray[] head = numClasses == 0 ? null : new INDArray[]{params.get(ClassifierHead.WEIGHT).dup(),
                params.get(ClassifierHead.BIAS).dup()};
        return new AdapterSet(name, null, Map.of(), Map.of(), head, pooling);
    }

    /** Name of an adapter parameter: {@code adapter.layer.<l>.<param>}. */
    public static String varName(int layer, String param) {
        return "adapter.layer." + layer + "." + param;
    }

    private static String checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 200 || !name.matches("[A-Za-z0-9._:@-]+")) {
            throw new IllegalArgumentException("adapter name '" + name + "' is not allowed: 1-200 characters of"
                    + " letters, digits and . _ : @ -");
        }
        return name;
    }

    public String name() {
        return name;
    }

    /** The adapter config, or null for a linear probe. */
    public AdapterConfig config() {
        return config;
    }

    /** Layer index to its adapter (empty for a linear probe). */
    public Map<Integer, Adapter> layers() {
        return layers;
    }

    public Pooling pooling() {
        return pooling;
    }

    /** Outputs of the head; 0 when this adapter has none. */
    public int numClasses() {
        return numClasses;
    }

    /** Every live array (trainable or fixed), adapter parameters then head. */
    public Map<String, INDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** Names the optimizer updates ({@link Adapter#trainable}: HoRA's fixed seeds are left out), then the head. */
    public List<String> trainableNames() {
        List<String> names = new ArrayList<>();
        layers.forEach((l, a) -> a.paramShapes().keySet().stream().filter(a::trainable)
                .forEach(n -> names.add(varName(l, n))));
        if (numClasses > 0) {
            names.add(ClassifierHead.WEIGHT);
            names.add(ClassifierHead.BIAS);
        }
        return names;
    }

    /** Trainable live arrays by name. */
    public Map<String, INDArray> trainable() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        trainableNames().forEach(n -> m.put(n, params.get(n)));
        return m;
    }

    /** Learning-rate multipliers other than 1, by parameter name ({@link Adapter#lrMultiplier}). */
    public Map<String, Double> lrMultipliers() {
        Map<String, Double> m = new LinkedHashMap<>();
        layers.forEach((l, a) -> a.paramShapes().keySet().stream().filter(a::trainable)
                .filter(n -> a.lrMultiplier(n) != 1.0).forEach(n -> m.put(varName(l, n), a.lrMultiplier(n))));
        return m;
    }

    /** Live adapter arrays per layer (writes change the adapter; then call {@link #parametersChanged()}). */
    public Map<Integer, Map<String, INDArray>> layerParams() {
        Map<Integer, Map<String, INDArray>> m = new TreeMap<>();
        layers.forEach((l, a) -> {
            Map<String, INDArray> p = new LinkedHashMap<>();
            a.paramShapes().keySet().forEach(n -> p.put(n, params.get(varName(l, n))));
            m.put(l, p);
        });
        return m;
    }

    /** Live head arrays: {@code classifier.weight}, {@code classifier.bias} (empty without a head). */
    public Map<String, INDArray> headParams() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        if (numClasses > 0) {
            m.put(ClassifierHead.WEIGHT, params.get(ClassifierHead.WEIGHT));
            m.put(ClassifierHead.BIAS, params.get(ClassifierHead.BIAS));
        }
        return m;
    }

    /**
     * Copies values in: every trainable name must be present with its shape; fixed parameters
     * (HoRA's seeds) are copied too when given.
     */
    public void setTrainable(Map<String, INDArray> values) {
        if (frozen()) {
            throw new IllegalStateException("adapter '" + name + "' is frozen (served): its values cannot be set");
        }
        for (String n : params.keySet()) {
            INDArray v = values.get(n);
            boolean required = trainableNames().contains(n);
            if (v == null && !required) {
                continue;
            }
            INDArray cur = params.get(n);
            if (v == null || !java.util.Arrays.equals(v.shape(), cur.shape())) {
                throw new IllegalArgumentException("adapter '" + name + "': tensor " + n + (v == null ? " is missing"
                        : " has shape " + java.util.Arrays.toString(v.shape()) + ", expected "
                        + java.util.Arrays.toString(cur.shape())));
            }
        }
        params.forEach((n, cur) -> {
            INDArray v = values.get(n);
            if (v != null) {
                cur.assign(v);
            }
        });
        parametersChanged();
    }

    /** Drops the cached inference factors: the next inference recomputes them from the parameters. */
    public void parametersChanged() {
        factors.invalidate();
    }

    /**
     * Declares the values final (a served adapter): the inference factors are computed now and inference
     * stops re-checking the parameters on every call; {@link #setTrainable} and training refuse from then on.
     * Writes to the live arrays after this are not seen.
     */
    public AdapterSet freeze() {
        factors.freeze();
        return this;
    }

    /** True after {@link #freeze}. */
    public boolean frozen() {
        return factors.frozen();
    }

    /**
     * The factors inference applies at every adapted site: computed once and reused while the adapter
     * parameters' values are unchanged ({@link FactorCache}: direct writes to the live arrays are seen too).
     */
    Map<Key, Values> inferenceFactors() {
        return factors.get();
    }

    /** The explicit factor kernels over this adapter's live parameters (null for a linear probe). */
    FactorKernels factorKernels() {
        return kernels;
    }

    /** dW [d_in, d_out] of every adapted site at the current parameters. */
    public Map<Key, INDArray> deltaW() {
        return kernels == null ? Map.of() : kernels.deltaW();
    }

    /** Bytes held by this adapter's parameters and cached factors. */
    public long bytes() {
        long n = 0;
        for (INDArray a : params.values()) {
            n += a.length() * a.dataType().width();
        }
        return n + factors.bytes();
    }
}
