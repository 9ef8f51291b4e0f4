package dev.hora.adapter.lora;

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
 * LoRA (Hu et al. 2021), the baseline:
 * <pre>
 *   dW_t = s * A_t B_t        A_t [d_in, r] Kaiming-uniform,  B_t [r, d_out] zeros,  s = alpha / r
 *
 *        x [n, d_in] --A_t--> [n, r] --B_t--> [n, d_out]
 * </pre>
 * Parameters per target: {@code r (d_in + d_out)}; names {@code {t}A}, {@code {t}B} (t = the target prefix: q, k, v, o, i, f).
 * Factors: one group (G = 1).
 */
public final class LoraAdapter extends AbstractAdapter {

    public LoraAdapter(AdapterConfig config, Map<Target, ProjectionShape> projections) {
        super(config, projections);
    }

    @Override
    public LinkedHashMap<String, long[]> paramShapes() {
        int r = config.getRank();
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        projections.forEach((t, p) -> {
            m.put(name(t, "A"), new long[]{p.dIn(), r});
            m.put(name(t, "B"), new long[]{r, p.dOut()});
        });
        return m;
    }

    @Override
    public LinkedHashMap<String, INDArray> initParams(DataType dt, int layer) {
        LinkedHashMap<String, INDArray> m = new LinkedHashMap<>();
        paramShapes().forEach((n, s) -> m.put(n, n.endsWith("A")
                ? Inits.kaimingUniform(Inits.stream(config.getSeed(), layer, n), s[0], dt, s)
                : Nd4j.zeros(dt, s)));
        return m;
    }

    @Override
    public Factors factors(SameDiff sd, Map<String, SDVariable> p, Target t) {
        ProjectionShape s = shape(t);
        int r = config.getRank();
        SDVariable a = p.get(name(t, "A")).reshape(1, s.dIn(), r);               // [1, d_in, r]
        SDVariable b = p.get(name(t, "B")).mul(config.scale()).reshape(1, r, s.dOut()); // [1, r, d_out]
        return new Factors(a, b, 1, r);
    }

    @Override
    public FactorKernel kernel() {
        return DirectFactorKernel.oneGroup(projections, config.getRank(), config.scale());
    }
}
