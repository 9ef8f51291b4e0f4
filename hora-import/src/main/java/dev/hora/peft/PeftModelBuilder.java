package dev.hora.peft;

import dev.hora.backbone.BertBackbone;
import dev.hora.config.AdapterConfig;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.Pooling;
import dev.hora.util.Blas;
import java.util.Objects;

/**
 * Builds a {@link PeftModel} with one adapter named {@link PeftModel#DEFAULT}, active: the single-adapter
 * API. {@link #build()} validates every setting and names the one that is wrong.
 */
public final class PeftModelBuilder {
    private final ImportedBert bert;
    private AdapterConfig config;
    private ModuleSelector selector;
    private Pooling pooling = Pooling.MEAN;
    private int numClasses = 2;
    private long seed = 42;
    private Engine engine = Engine.KERNELS;
    private String name = PeftModel.DEFAULT;

    PeftModelBuilder(ImportedBert bert) {
        this.bert = Objects.requireNonNull(bert, "bert");
        Blas.warnIfMisdetected();
    }

    /** The adapter; null (default) = linear probe, only the head trains. */
    public PeftModelBuilder adapter(AdapterConfig config) {
        this.config = config;
        return this;
    }

    /** The adapter's name; default {@link PeftModel#DEFAULT}. */
    public PeftModelBuilder name(String name) {
        this.name = name;
        return this;
    }

    /** Which projections get adapters; default: the config's targets in every layer. */
    public PeftModelBuilder select(ModuleSelector selector) {
        this.selector = selector;
        return this;
    }

    public PeftModelBuilder pooling(Pooling pooling) {
        this.pooling = Objects.requireNonNull(pooling, "pooling");
        return this;
    }

    public PeftModelBuilder numClasses(int numClasses) {
        this.numClasses = numClasses;
        return this;
    }

    /** The engine; default {@link Engine#KERNELS}. */
    public PeftModelBuilder engine(Engine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
        return this;
    }

    /** Seed of the classifier head's initial weights. */
    public PeftModelBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    public PeftModel build() {
        dev.hora.util.Checks.atLeast("numClasses", numClasses, 2);
        if (pooling == Pooling.NONE) {
            throw new IllegalArgumentException("pooling = NONE: a classifier needs MEAN or CLS pooling");
        }
        if (config != null && config.validate().getDropout() > 0 && engine == Engine.SAMEDIFF) {
            throw new IllegalArgumentException("dropout = " + config.getDropout()
                    + " needs the kernel engine (a SameDiff graph cannot tell training from inference):"
                    + " allowed 0 with Engine.SAMEDIFF");
        }
        PeftModel m = new PeftModel(bert, BertBackbone.of(bert), engine, pooling);
        m.addAdapter(name, config, selector, pooling, numClasses, seed);
        return m;
    }
}
