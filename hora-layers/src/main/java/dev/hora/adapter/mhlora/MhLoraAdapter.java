package dev.hora.adapter.mhlora;

import dev.hora.adapter.AbstractAdapter;
import dev.hora.adapter.DirectFactorKernel;
import dev.hora.adapter.FactorKernel;
import dev.hora.adapter.Factors;
import dev.hora.adapter.Inits;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MH-LoRA, the paper's baseline: independent low-rank factors per head.
 * <pre>
 *   dW_t = s * [ A_{t,1} B_{t,1} | ... | A_{t,H} B_{t,H} ]
 *   A_{t,i} [d_in, r] Kaiming-uniform,  B_{t,i} [r, d_h] zeros
 *
 *   stored as  {t}A [H, d_in, r],  {t}B [H, r, d_h]
 * </pre>
 * Parameters per target: {@code H r d_in + r d_out}. Factors: one group per head (G = H).
 */
public final class MhLoraAdapter extends AbstractAdapter {

    public MhLoraAdapter(AdapterConfig config, Map<Target, ProjectionShape> projections) {
        super(config, projections);
    }

    @Override
    public LinkedHashMap<String, long[]> paramShapes() {
        int r = config.getRank();
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        projections.forEach((t, p) -> {
            m.put(name(t, "A"), new long[]{p.heads(), p.dIn(), r});
            m.put(name(t, "B"), new long[]{p.heads(), r, p.dHead()});
        });
        return m;
    }

    @Override
    public LinkedHashMap<String, INDArray> initParams(DataType dt, int layer) {
        LinkedHashMap<String, INDArray> m = new LinkedHashMap<>();
        paramShapes().forEach((n, s) -> m.put(n, n.endsWith("A")
                ? Inits.kaimingUniform(Inits.stream(config.getSeed(), layer, n), s[1], dt, s)
                : Nd4j.zeros(dt, s)));
        return m;
    }

    @Override
    public Factors factors(SameDiff sd, Map<String, SDVariable> p, Target t) {
        ProjectionShape s = shape(t);
        SDVariable a = p.get(name(t, "A"));                        // [H, d_in, r]
        SDVariable b = p.get(name(t, "B")).mul(config.scale());    // [H, r, d_h]
        return new Factors(a, b, s.heads(), config.getRank());
    }

    @Override
    public FactorKernel kernel() {
        return DirectFactorKernel.perHead(projections, config.getRank(), config.scale());
    }
}
