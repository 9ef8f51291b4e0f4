package dev.hora.peft;

import dev.hora.adapter.Adapter;
import dev.hora.backbone.BertBackbone;
import dev.hora.config.AdapterConfig;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.Pooling;
import dev.hora.train.Objective;
import dev.hora.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One frozen backbone and any number of named adapters ({@link AdapterSet}), as PEFT keeps them:
 * <pre>
 *   backbone (loaded once, shared)  +  { name -> adapter: config, per-site adapters, parameters, head }
 *   predict(batch)                      the active adapter on every row (none active: the base model)
 *   predict(batch, adapterNames[b])     row i with adapter adapterNames[i] (null: the base): the frozen
 *                                       GEMMs once for the batch, each adapter's low-rank path on its rows
 *   objective(name) / trainer(...)      train one adapter; the others stay loaded and untouched
 * </pre>
 * The engine ({@link Engine}) is chosen once, at construction. Inference applies each adapter's factors,
 * computed once and cached until its parameters change. Safe for concurrent inference from many threads;
 * adding, deleting and activating adapters are atomic. {@link #builder} makes a model with one adapter
 * named {@link #DEFAULT}, the active one (the single-adapter API of earlier releases).
 */
public final class PeftModel {
    /** The name {@link Builder#build()} gives its adapter. */
    public static final String DEFAULT = "default";
    private final ImportedBert bert;
    private final BertBackbone backbone;
    private final Engine engine;
    private final Runner runner;
    private final Pooling basePooling;
    private final Object lock = new Object();
    private volatile Map<String, AdapterSet> adapters = Map.of();
    private volatile String active;
    private AdapterSet merged;

    PeftModel(ImportedBert bert, BertBackbone backbone, Engine engine, Pooling basePooling) {
        this.bert = bert;
        this.backbone = backbone;
        this.engine = engine;
        this.basePooling = basePooling;
        this.runner = engine == Engine.SAMEDIFF ? new SameDiffRunner(backbone.config(), backbone.weights())
                : new KernelRunner(backbone, engine == Engine.KERNELS_FACTOR_GRAPH);
    }

    /** A model of {@code bert} with no adapter yet, on the kernel engine, MEAN pooling for the base. */
    public static PeftModel of(ImportedBert bert) {
        return new PeftModel(bert, BertBackbone.of(bert), Engine.KERNELS, Pooling.MEAN);
    }

    /** A builder of a model with one adapter named {@link #DEFAULT} (the single-adapter API). */
    public static PeftModelBuilder builder(ImportedBert bert) {
        return new PeftModelBuilder(bert);
    }

    /** Name of an adapter parameter: {@code adapter.layer.<l>.<param>} ({@link AdapterSet#varName}). */
    public static String varName(int layer, String param) {
        return AdapterSet.varName(layer, param);
    }

    // ---- the adapters ----

    /** A new adapter on this backbone ({@link AdapterSet#create}); it becomes active if none is. */
    public AdapterSet addAdapter(String name, AdapterConfig config, ModuleSelector selector, Pooling pooling,
                                 int numClasses, long headSeed) {
        return addAdapter(AdapterSet.create(name, backbone, config, selector, pooling, numClasses, headSeed));
    }

    /**
     * Loads an adapter folder as adapter {@code name}: a PEFT LoRA folder ({@code adapter_config.json} +
     * {@code adapter_model.safetensors}), or this library's MH-LoRA / HoRA folder, with the classification
     * head ({@code classifier.safetensors}) when the folder has one. A run directory's adapter is its
     * {@code adapter/} folder.
     *
     * @throws IOException naming the file and the problem
     */
    public AdapterSet loadAdapter(String name, Path folder) throws IOException {
        return addAdapter(AdapterFolders.read(name, backbone, folder));
    }

    /**
     * Writes adapter {@code name} as a folder {@link #loadAdapter} reads back (and PEFT too, for LoRA),
     * with its head ({@code labels}: the class names, {@code maxLength}: the tokenizer's truncation).
     *
     * @param baseModel base_model_name_or_path (a hub id or a file name; may be null)
     */
    public void saveAdapter(String name, Path folder, String baseModel, List<String> labels, int maxLength)
            throws IOException {
        AdapterFolders.write(adapter(name), backbone.numLayers(), folder, baseModel, labels, maxLength);
    }

    /** Adds an adapter built for this backbone (refused when its name is taken or a site does not exist). */
    public AdapterSet addAdapter(AdapterSet adapter) {
        adapter.layers().forEach((l, a) -> a.projections().forEach((t, shape) -> {
            if (!backbone.site(l, t).fits(shape)) {
                throw new IllegalArgumentException("adapter '" + adapter.name() + "' at layer " + l + " " + t
                        + " is built for " + shape + ", the backbone's site is " + backbone.site(l, t).shape());
            }
        }));
        synchronized (lock) {
            if (adapters.containsKey(adapter.name())) {
                throw new IllegalArgumentException("adapter '" + adapter.name() + "' exists already: delete it first");
            }
            Map<String, AdapterSet> m = new LinkedHashMap<>(adapters);
            m.put(adapter.name(), adapter);
            adapters = Collections.unmodifiableMap(m);
            if (active == null) {
                active = adapter.name();
            }
        }
        return adapter;
    }

    /** Removes an adapter (its arrays are freed once no call still uses them); the base runs if it was active. */
    public void deleteAdapter(String name) {
        synchronized (lock) {
            adapter(name);
            Map<String, AdapterSet> m = new LinkedHashMap<>(adapters);
            m.remove(name);
            adapters = Collections.unmodifiableMap(m);
            if (name.equals(active)) {
                active = null;
            }
        }
    }

    /** The adapters' names, in the order they were added. */
    public List<String> adapterNames() {
        return List.copyOf(adapters.keySet());
    }

    /** @throws IllegalArgumentException naming the adapters there are, when {@code name} is not one */
    public AdapterSet adapter(String name) {
        AdapterSet a = adapters.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no adapter named '" + name + "': the model has " + adapters.keySet());
        }
        return a;
    }

    /** Makes {@code name} the adapter of {@link #predictProba} and friends; null disables adapters (the base). */
    public void setActiveAdapter(String name) {
        synchronized (lock) {
            if (name != null) {
                adapter(name);
            }
            active = name;
        }
    }

    /** The active adapter's name, or null (the base model). */
    public String activeAdapter() {
        return active;
    }

    private AdapterSet activeSet() {
        String n = active;
        if (n == null) {
            throw new IllegalStateException("no active adapter: add one or set one active (adapters: "
                    + adapters.keySet() + ")");
        }
        return adapter(n);
    }

    /** Bytes held by every adapter's parameters and cached factors (the backbone not counted). */
    public long adapterBytes() {
        long n = 0;
        for (AdapterSet a : adapters.values()) {
            n += a.bytes();
        }
        return n;
    }

    // ---- inference ----

    /** Class probabilities [b, n] of the active adapter for token ids, mask and types [b, s] (int64). */
    public INDArray predictProba(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        return run(Runner.Output.PROBABILITIES, inputIds, attentionMask, tokenTypeIds, null);
    }

    /** Class probabilities [b, n], row i by adapter {@code adapterNames.get(i)} (heads of one size). */
    public INDArray predictProba(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds,
                                 List<String> adapterNames) {
        return run(Runner.Output.PROBABILITIES, inputIds, attentionMask, tokenTypeIds, Objects.requireNonNull(adapterNames));
    }

    /** The pooled encoder output [b, d] of the active adapter (none active: the base model's). */
    public INDArray pooled(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        return run(Runner.Output.POOLED, inputIds, attentionMask, tokenTypeIds, null);
    }

    /** Pooled outputs [b, d], row i by adapter {@code adapterNames.get(i)} (null: the base model). */
    public INDArray pooled(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds, List<String> adapterNames) {
        return run(Runner.Output.POOLED, inputIds, attentionMask, tokenTypeIds, Objects.requireNonNull(adapterNames));
    }

    /** The encoder's last_hidden_state [b, s, d] with the active adapter (none active: the base model's). */
    public INDArray lastHiddenState(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        return run(Runner.Output.HIDDEN, inputIds, attentionMask, tokenTypeIds, null);
    }

    /** last_hidden_state [b, s, d], row i by adapter {@code adapterNames.get(i)} (null: the base model). */
    public INDArray lastHiddenState(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds,
                                    List<String> adapterNames) {
        return run(Runner.Output.HIDDEN, inputIds, attentionMask, tokenTypeIds, Objects.requireNonNull(adapterNames));
    }

    private INDArray run(Runner.Output what, INDArray ids, INDArray mask, INDArray types, List<String> names) {
        int b = (int) ids.size(0);
        if (names == null) {
            String n = active;
            return runner.run(what, ids, mask, types, List.of(new Runner.Group(n == null ? null : adapter(n), 0, b)),
                    basePooling);
        }
        MixedBatch mixed = MixedBatch.of(names, b, this::adapter);
        if (mixed.isIdentity()) {
            return runner.run(what, ids, mask, types, mixed.groups(), basePooling);
        }
        INDArray out = runner.run(what, mixed.gather(ids), mixed.gather(mask), mixed.gather(types), mixed.groups(),
                basePooling);
        return mixed.scatter(out);
    }

    // ---- training ----

    /** The loss and gradients of adapter {@code name}'s trainable tensors on this model's engine. */
    public Objective objective(String name) {
        return objectiveOf(adapter(name));
    }

    /** {@link #objective(String)} of the active adapter. */
    public Objective objective() {
        return objectiveOf(activeSet());
    }

    private Objective objectiveOf(AdapterSet a) {
        if (a.frozen()) {
            throw new IllegalStateException("adapter '" + a.name() + "' is frozen (served) and cannot be trained");
        }
        return runner.objective(a);
    }

    /** Points a trainer at the active adapter's objective (its learning-rate multipliers included). */
    public Trainer.Builder trainer(Trainer.Builder b) {
        return b.objective(objective());
    }

    /**
     * The SameDiff graph of the active adapter, its variables set to the adapter's values
     * ({@link Engine#SAMEDIFF} only: the reference graph).
     */
    public SameDiff sameDiff() {
        if (!(runner instanceof SameDiffRunner r)) {
            throw new IllegalStateException("sameDiff(): this model runs on " + engine + "; build it with Engine.SAMEDIFF");
        }
        AdapterSet a = activeSet();
        SameDiffRunner.Graph g = r.graph(a, a.pooling());
        g.pull(a);
        return g.sd();
    }

    // ---- the active adapter's view (the single-adapter API) ----

    public ImportedBert bert() {
        return bert;
    }

    public BertBackbone backbone() {
        return backbone;
    }

    public Engine engine() {
        return engine;
    }

    /** The active adapter's config, or null for a linear probe. */
    public AdapterConfig adapterConfig() {
        return activeSet().config();
    }

    public Pooling pooling() {
        return activeSet().pooling();
    }

    public int numClasses() {
        return activeSet().numClasses();
    }

    /** Layer index to the active adapter's per-layer adapter. */
    public Map<Integer, Adapter> adapters() {
        return activeSet().layers();
    }

    public List<String> trainableNames() {
        return activeSet().trainableNames();
    }

    public Map<String, Double> lrMultipliers() {
        return activeSet().lrMultipliers();
    }

    public Map<Integer, Map<String, INDArray>> adapterParams() {
        return activeSet().layerParams();
    }

    public Map<String, INDArray> headParams() {
        return activeSet().headParams();
    }

    public void setTrainable(Map<String, INDArray> values) {
        activeSet().setTrainable(values);
    }

    public Map<String, INDArray> trainable() {
        return activeSet().trainable();
    }

    /** Trainable against total parameters of the active adapter, per adapter kind and head. */
    public ParameterSummary summary() {
        AdapterSet a = activeSet();
        return ParameterSummary.of(bert, a.config(), a.layers().values(), a.numClasses());
    }

    // ---- merging ----

    /** The active adapter folded into its weights: a standalone SameDiff model of constants. */
    public MergedModel merge() {
        return MergedModel.of(backbone, activeSet());
    }

    /** Adapter {@code name} folded into its weights: a standalone SameDiff model of constants. */
    public MergedModel merge(String name) {
        return MergedModel.of(backbone, adapter(name));
    }

    /**
     * A model whose backbone holds W + dW of adapter {@code name} (the other tensors shared with this
     * one) and whose only adapter is {@code name}'s head, active: the same outputs, no adapter cost.
     * {@link #unmergeAdapter} undoes it.
     */
    public PeftModel mergeAdapter(String name) {
        AdapterSet a = adapter(name);
        PeftModel m = new PeftModel(bert, backbone.withDeltas(a.deltaW(), 1), engine, basePooling);
        m.merged = a;
        m.addAdapter(a.headOnly());
        return m;
    }

    /** The model {@link #mergeAdapter} came from: W + dW - dW and the adapter back, active. */
    public PeftModel unmergeAdapter() {
        if (merged == null) {
            throw new IllegalStateException("unmergeAdapter(): this model holds no merged adapter");
        }
        PeftModel m = new PeftModel(bert, backbone.withDeltas(merged.deltaW(), -1), engine, basePooling);
        m.addAdapter(merged);
        return m;
    }
}
