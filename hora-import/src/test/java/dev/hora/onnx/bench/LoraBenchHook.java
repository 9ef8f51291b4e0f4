package dev.hora.onnx.bench;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.AdapterOps;
import dev.hora.adapter.Adapters;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.bert.ProjectionHook;
import dev.hora.backbone.Site;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The benchmark's training setup: a LoRA adapter (hora-layers) on query and value of every layer,
 * its A and B as SameDiff variables; B gets small random values instead of zeros so that every
 * gradient path is non-trivial.
 *
 * <pre>
 *   Q/V: y = x W + b + x (s A B)      A [d, r], B [r, d] variables; other projections: x W + b
 * </pre>
 */
final class LoraBenchHook implements ProjectionHook {
    private final AdapterConfig config;
    private final List<String> variables = new ArrayList<>();

    LoraBenchHook(AdapterConfig config) {
        this.config = config;
    }

    static AdapterConfig defaultConfig() {
        return AdapterConfig.builder().kind(AdapterKind.LORA).rank(8).alpha(16).targets(Target.Q, Target.V).build();
    }

    /** Names of the adapter variables added so far. */
    List<String> variables() {
        return variables;
    }

    @Override
    public SDVariable project(SameDiff sd, Site site, SDVariable x, SDVariable w, SDVariable b) {
        Target t = site.role() == Target.Q ? Target.Q : site.role() == Target.V ? Target.V : null;
        if (t == null) {
            return DEFAULT.project(sd, site, x, w, b);
        }
        ProjectionShape shape = new ProjectionShape(site.dIn(), site.dOut(), site.groups());
        Adapter adapter = Adapters.create(config, Map.of(t, shape));
        Map<String, SDVariable> vars = new HashMap<>();
        Nd4j.getRandom().setSeed(site.layer() * 7L + t.ordinal());
        adapter.initParams(DataType.FLOAT).forEach((n, v) -> {
            INDArray init = n.endsWith("B") ? Nd4j.randn(DataType.FLOAT, v.shape()).muli(0.01) : v;
            String name = site.modulePath() + "." + n;
            vars.put(n, sd.var(name, init));
            variables.add(name);
        });
        return AdapterOps.project(sd, x, x, w, b, adapter.factors(sd, vars, t), shape, config.getApplyMode());
    }
}
