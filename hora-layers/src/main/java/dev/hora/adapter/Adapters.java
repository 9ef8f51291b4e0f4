package dev.hora.adapter;

import dev.hora.adapter.hora.HoraAdapter;
import dev.hora.adapter.lora.LoraAdapter;
import dev.hora.adapter.mhlora.MhLoraAdapter;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Factory and eager helpers for {@link Adapter}s. */
public final class Adapters {
    private Adapters() {
    }

    /**
     * The adapter of the config's kind over the given projections.
     *
     * @param projections target -> shape; every key must be one of the config's targets
     */
    public static Adapter create(AdapterConfig config, Map<Target, ProjectionShape> projections) {
        config.validate();
        for (Target t : projections.keySet()) {
            if (!config.adapts(t)) {
                throw new IllegalArgumentException("targets: projection " + t + " is not in the configured targets "
                        + config.getTargets());
            }
        }
        return switch (config.getKind()) {
            case LORA -> new LoraAdapter(config, projections);
            case MH_LORA -> new MhLoraAdapter(config, projections);
            case HORA -> new HoraAdapter(config, projections);
        };
    }

    /**
     * The adapter for an attention layer of width {@code dModel} with {@code heads} heads: every
     * configured target gets shape [dModel, dModel] split into {@code heads} heads.
     */
    public static Adapter forAttention(AdapterConfig config, long dModel, int heads) {
        Map<Target, ProjectionShape> m = new EnumMap<>(Target.class);
        for (Target t : config.validate().getTargets()) {
            m.put(t, new ProjectionShape(dModel, dModel, heads));
        }
        return create(config, m);
    }

    /** Evaluates {@code dW_t [d_in, d_out]} from parameter values (used by merge and tests). */
    public static INDArray deltaW(Adapter adapter, Map<String, INDArray> params, Target t) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        params.forEach((n, v) -> vars.put(n, sd.constant(n, v)));
        ProjectionShape s = adapter.projections().get(t);
        return AdapterOps.deltaW(sd, adapter.factors(sd, vars, t), s).eval();
    }
}
