package dev.hora.finetune;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.AdapterOptions;
import dev.hora.config.Target;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.ModuleSelector;
import dev.hora.peft.PeftModel;
import dev.hora.peft.PeftModelBuilder;
import java.util.List;
import java.util.Map;

/** Maps resolved {@link FinetuneSettings} to the library's adapter config, selector and model. */
public final class RunSpec {
    private RunSpec() {
    }

    /** The adapter config of a run, or null for {@code --adapter none} (linear probe). */
    public static AdapterConfig adapterConfig(FinetuneSettings s) {
        if (s.adapter() == null) {
            return null;
        }
        List<Target> targets = s.targets().stream().map(Target::parse).toList();
        AdapterConfig.Builder b = AdapterConfig.builder().kind(s.adapter()).rank(s.rank()).alpha(s.alpha())
                .targets(targets).seed(s.seed());
        return AdapterOptions.apply(b, s.adapterOptions() == null ? Map.of() : s.adapterOptions()).build();
    }

    /** The run's pooling ({@code mean} for runs that predate the setting). */
    public static Pooling pooling(FinetuneSettings s) {
        return s.pooling() == null ? Pooling.MEAN : Pooling.valueOf(s.pooling().toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * The run's adapter (or linear probe) as adapter {@code name} of {@code backbone}, freshly
     * initialised as {@link #model} initialises it: set its trained tensors afterwards.
     */
    public static dev.hora.peft.AdapterSet adapterSet(String name, FinetuneSettings s, dev.hora.backbone.Backbone backbone,
                                                     int numClasses) {
        AdapterConfig cfg = adapterConfig(s);
        ModuleSelector sel = null;
        if (cfg != null) {
            sel = ModuleSelector.modules(cfg.getTargets());
            sel = s.layers() == null ? sel : sel.layers(s.layers());
        }
        return dev.hora.peft.AdapterSet.create(name, backbone, cfg, sel, pooling(s), numClasses, s.seed());
    }

    /** The PeftModel of a run: adapters on the chosen targets and layers, a head for {@code numClasses}. */
    public static PeftModel model(FinetuneSettings s, ImportedBert bert, int numClasses) {
        AdapterConfig cfg = adapterConfig(s);
        PeftModelBuilder b = PeftModel.builder(bert).adapter(cfg).pooling(pooling(s)).numClasses(numClasses)
                .seed(s.seed());
        if (cfg != null) {
            ModuleSelector sel = ModuleSelector.modules(cfg.getTargets());
            sel = s.layers() == null ? sel : sel.layers(s.layers());
            AdapterBudget.check(s, sel.plan(bert, cfg));   // before anything is allocated
            b.select(sel);
        }
        try {
            return b.build();
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException("out of memory building the model for " + s.describe()
                    + " (JVM heap " + Runtime.getRuntime().maxMemory() + " bytes): use smaller adapter options or "
                    + "raise -Xmx (HORA_JAVA_OPTS)", e);
        }
    }
}
