package dev.hora.peft;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.AdapterOps;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import dev.hora.onnx.BertConfig;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.Pooling;
import dev.hora.onnx.bert.ProjectionHook;
import dev.hora.adapter.FactorGraph;
import dev.hora.adapter.FactorKernels;
import dev.hora.adapter.FactorSource;
import dev.hora.peft.kernel.KernelEncoder;
import dev.hora.peft.kernel.KernelObjective;
import dev.hora.train.SameDiffTrainer;
import dev.hora.util.Blas;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A pretrained encoder with adapters on selected projections and a classification head, as one
 * SameDiff graph in which every pretrained tensor is a constant:
 * <pre>
 *   input_ids, attention_mask, token_type_ids [b, s]
 *     -> encoder; at each selected projection  y = x (W + dW_t) + b   (dW_t from the layer's adapter)
 *     -> pooled [b, d] (MEAN or CLS) -> logits = pooled W_c + b_c [b, n] -> probabilities, loss
 * </pre>
 * Trainable variables: {@code adapter.layer.<l>.<param>} (see {@link Adapter#paramShapes()}) and
 * {@code classifier.weight} [d, n], {@code classifier.bias} [1, n]. With no adapter config it is a
 * linear probe (only the head trains). At initialisation dW = 0, so the encoder's output equals
 * the base model's. {@link #merge()} folds every dW into its weight.
 */
public final class PeftModel {
    private final ImportedBert bert;
    private final AdapterConfig config;
    private final Pooling pooling;
    private final int numClasses;
    private final SameDiff sd = SameDiff.create();
    private final Map<Integer, Adapter> adapters;
    private final BertEncoder encoder;
    private final Engine engine;
    private KernelObjective kernels;

    private PeftModel(Builder b) {
        this.bert = b.bert;
        this.config = b.config;
        this.pooling = b.pooling;
        this.numClasses = b.numClasses;
        this.engine = b.engine;
        BertConfig bc = bert.config();
        this.adapters = config == null ? Map.of() : Collections.unmodifiableMap(b.selector.plan(bert, config));
        Map<Integer, Map<String, SDVariable>> vars = new TreeMap<>();
        adapters.forEach((layer, a) -> {
            Map<String, SDVariable> m = new LinkedHashMap<>();
            a.initParams(DataType.FLOAT, layer).forEach((n, v) -> m.put(n, sd.var(varName(layer, n), v)));
            vars.put(layer, m);
        });
        ProjectionHook hook = (g, site, x, w, bias) -> {
            Adapter a = adapters.get(site.layer());
            Target t = site.target();
            if (a == null || !a.projections().containsKey(t)) {
                return ProjectionHook.DEFAULT.project(g, site, x, w, bias);
            }
            return AdapterOps.project(g, x, x, w, bias, a.factors(g, vars.get(site.layer()), t),
                    a.projections().get(t), a.config().getApplyMode());
        };
        this.encoder = bert.encoder().pooling(pooling).hook(hook).build(sd);
        INDArray[] head = ClassifierHead.init(bc.hiddenSize(), numClasses, b.seed);
        ClassifierHead.build(sd, encoder.pooled(), head[0], head[1], true);
    }

    public static Builder builder(ImportedBert bert) {
        return new Builder(bert);
    }

    /** SameDiff name of an adapter parameter: {@code adapter.layer.<l>.<param>}. */
    public static String varName(int layer, String param) {
        return "adapter.layer." + layer + "." + param;
    }

    public SameDiff sameDiff() {
        return sd;
    }

    public BertEncoder encoder() {
        return encoder;
    }

    public ImportedBert bert() {
        return bert;
    }

    /** The adapter config, or null for a linear probe. */
    public AdapterConfig adapterConfig() {
        return config;
    }

    public Pooling pooling() {
        return pooling;
    }

    public int numClasses() {
        return numClasses;
    }

    /** Layer index to its adapter (empty for a linear probe). */
    public Map<Integer, Adapter> adapters() {
        return adapters;
    }

    /**
     * Names of every trainable variable: adapter parameters the optimizer updates
     * ({@link Adapter#trainable}; HoRA's fixed seeds are left out), then the classifier head.
     */
    public List<String> trainableNames() {
        List<String> names = new ArrayList<>();
        adapters.forEach((l, a) -> a.paramShapes().keySet().stream().filter(a::trainable)
                .forEach(n -> names.add(varName(l, n))));
        names.add(ClassifierHead.WEIGHT);
        names.add(ClassifierHead.BIAS);
        return names;
    }

    /** Learning-rate multipliers other than 1, by variable name ({@link Adapter#lrMultiplier}). */
    public Map<String, Double> lrMultipliers() {
        Map<String, Double> m = new LinkedHashMap<>();
        adapters.forEach((l, a) -> a.paramShapes().keySet().stream().filter(a::trainable)
                .filter(n -> a.lrMultiplier(n) != 1.0).forEach(n -> m.put(varName(l, n), a.lrMultiplier(n))));
        return m;
    }

    /** Live arrays of the adapter parameters, per layer (writes change the model). */
    public Map<Integer, Map<String, INDArray>> adapterParams() {
        Map<Integer, Map<String, INDArray>> m = new TreeMap<>();
        adapters.forEach((l, a) -> {
            Map<String, INDArray> p = new LinkedHashMap<>();
            a.paramShapes().keySet().forEach(n -> p.put(n, sd.getArrForVarName(varName(l, n))));
            m.put(l, p);
        });
        return m;
    }

    /** Live arrays of the classifier head: {@code classifier.weight}, {@code classifier.bias}. */
    public Map<String, INDArray> headParams() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(ClassifierHead.WEIGHT, sd.getArrForVarName(ClassifierHead.WEIGHT));
        m.put(ClassifierHead.BIAS, sd.getArrForVarName(ClassifierHead.BIAS));
        return m;
    }

    /** Copies trainable values in (names as {@link #trainableNames()}); shapes must match. */
    public void setTrainable(Map<String, INDArray> values) {
        for (String n : trainableNames()) {
            INDArray v = values.get(n);
            INDArray cur = sd.getArrForVarName(n);
            if (v == null || !java.util.Arrays.equals(v.shape(), cur.shape())) {
                throw new IllegalArgumentException("trainable tensor " + n + (v == null ? " is missing"
                        : " has shape " + java.util.Arrays.toString(v.shape()) + ", expected "
                        + java.util.Arrays.toString(cur.shape())));
            }
            cur.assign(v);
        }
    }

    /** Trainable values by name (live arrays). */
    public Map<String, INDArray> trainable() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        trainableNames().forEach(n -> m.put(n, sd.getArrForVarName(n)));
        return m;
    }

    /** Class probabilities [b, n] for token ids, mask and types [b, s] (int64). */
    public INDArray predictProba(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        return output(ClassifierHead.PROBABILITIES, inputIds, attentionMask, tokenTypeIds);
    }

    /** The encoder's last_hidden_state [b, s, d]. */
    public INDArray lastHiddenState(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        return output(BertEncoder.LAST_HIDDEN_STATE, inputIds, attentionMask, tokenTypeIds);
    }

    /** The pooled encoder output [b, d] (the classifier's input). */
    public INDArray pooled(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        return output(BertEncoder.POOLED, inputIds, attentionMask, tokenTypeIds);
    }

    private INDArray output(String name, INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        if (engine.kernels()) {
            KernelObjective k = kernels();
            switch (name) {
                case ClassifierHead.PROBABILITIES: return k.probabilities(inputIds, attentionMask, tokenTypeIds);
                case BertEncoder.POOLED: return k.pooled(inputIds, attentionMask, tokenTypeIds);
                default: return k.lastHiddenState(inputIds, attentionMask, tokenTypeIds);
            }
        }
        return sd.output(Inputs.feed(inputIds, attentionMask, tokenTypeIds), name).get(name);
    }

    /** The engine that runs {@link #predictProba}, {@link #pooled}, {@link #lastHiddenState} and training. */
    public Engine engine() {
        return engine;
    }

    /**
     * Points a trainer at this model's trainable tensors and loss on its engine: the kernel path's
     * {@link KernelObjective}, or the SameDiff graph ({@link ClassifierHead#LOSS}).
     */
    public SameDiffTrainer.Builder trainer(SameDiffTrainer.Builder b) {
        return engine.kernels() ? b.objective(kernels())
                : b.sameDiff(sd).loss(ClassifierHead.LOSS).trainable(trainableNames());
    }

    /** The kernel path (built on first use): objective, probabilities, pooled and hidden states. */
    public synchronized KernelObjective kernels() {
        if (kernels == null) {
            KernelEncoder enc = new KernelEncoder(bert.config(), bert.weights(), DataType.FLOAT);
            FactorSource fs = adapters.isEmpty() ? null : engine == Engine.KERNELS_FACTOR_GRAPH
                    ? new FactorGraph(adapters, adapterParams(), PeftModel::varName)
                    : new FactorKernels(adapters, adapterParams(), PeftModel::varName);
            kernels = new KernelObjective(enc, fs, trainable(), ClassifierHead.WEIGHT, ClassifierHead.BIAS,
                    pooling == Pooling.MEAN, config == null ? 0 : config.getDropout(), config == null ? 0 : config.getSeed());
        }
        return kernels;
    }

    /** Trainable against total parameters, per adapter kind and head. */
    public ParameterSummary summary() {
        return ParameterSummary.of(bert, config, adapters.values(), numClasses);
    }

    /** Folds every adapter into its weight: a plain model with no adapter variables. */
    public MergedModel merge() {
        return MergedModel.of(this);
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final ImportedBert bert;
        private AdapterConfig config;
        private ModuleSelector selector;
        private Pooling pooling = Pooling.MEAN;
        private int numClasses = 2;
        private long seed = 42;
        private Engine engine = Engine.KERNELS;

        private Builder(ImportedBert bert) {
            this.bert = Objects.requireNonNull(bert, "bert");
            Blas.warnIfMisdetected();
        }

        /** The adapter; null (default) = linear probe, only the head trains. */
        public Builder adapter(AdapterConfig config) {
            this.config = config;
            return this;
        }

        /** Which projections get adapters; default: the config's targets in every layer. */
        public Builder select(ModuleSelector selector) {
            this.selector = selector;
            return this;
        }

        public Builder pooling(Pooling pooling) {
            this.pooling = Objects.requireNonNull(pooling, "pooling");
            return this;
        }

        public Builder numClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        /** The engine; default {@link Engine#KERNELS}. */
        public Builder engine(Engine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** Seed of the classifier head's initial weights. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public PeftModel build() {
            dev.hora.util.Checks.atLeast("numClasses", numClasses, 2);
            if (pooling == Pooling.NONE) {
                throw new IllegalArgumentException("pooling = NONE: a classifier needs MEAN or CLS pooling");
            }
            if (config != null) {
                config.validate();
                if (config.getDropout() > 0 && engine == Engine.SAMEDIFF) {
                    throw new IllegalArgumentException("dropout = " + config.getDropout()
                            + " needs the kernel engine (a SameDiff graph cannot tell training from inference):"
                            + " allowed 0 with Engine.SAMEDIFF");
                }
                if (selector == null) {
                    selector = ModuleSelector.modules(config.getTargets());
                }
            }
            return new PeftModel(this);
        }
    }
}
