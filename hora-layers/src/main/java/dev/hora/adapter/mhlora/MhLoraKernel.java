package dev.hora.adapter.mhlora;

import dev.hora.adapter.FactorKernel;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MH-LoRA's factor map and its backward (one group per head; the parameters are the factors):
 * <pre>
 *   forward    a_t = A_t,    b_t = s B_t           A_t [H, d_in, r],  B_t [H, r, d_h]
 *   backward   dA_t = da_t,  dB_t = s db_t
 * </pre>
 */
final class MhLoraKernel implements FactorKernel {
    private final Map<Target, ProjectionShape> projections;
    private final double scale;

    MhLoraKernel(Map<Target, ProjectionShape> projections, double scale) {
        this.projections = projections;
        this.scale = scale;
    }

    @Override
    public int groups(Target t) {
        return projections.get(t).heads();
    }

    @Override
    public Pass forward(Map<String, INDArray> p) {
        Map<Target, Pair> f = new EnumMap<>(Target.class);
        projections.keySet().forEach(t -> f.put(t, new Pair(
                p.get(t.prefix() + "A").dup('c'),             // [H, d_in, r]
                p.get(t.prefix() + "B").mul(scale))));        // [H, r, d_h]
        return new Pass() {
            @Override
            public Map<Target, Pair> factors() {
                return f;
            }

            @Override
            public Map<String, INDArray> backward(Map<Target, Pair> g) {
                Map<String, INDArray> d = new LinkedHashMap<>();
                projections.keySet().forEach(t -> {
                    d.put(t.prefix() + "A", g.get(t).a().dup('c'));
                    d.put(t.prefix() + "B", g.get(t).b().mul(scale));
                });
                return d;
            }
        };
    }
}
