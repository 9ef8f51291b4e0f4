package dev.hora.adapter.lora;

import dev.hora.adapter.FactorKernel;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA's factor map and its backward (one group):
 * <pre>
 *   forward    a_t = A_t            [d_in, r] -> [1, d_in, r]
 *              b_t = s B_t          [r, d_out] -> [1, r, d_out]
 *   backward   dA_t = da_t          [1, d_in, r] -> [d_in, r]
 *              dB_t = s db_t        [1, r, d_out] -> [r, d_out]
 * </pre>
 */
final class LoraKernel implements FactorKernel {
    private final Map<Target, ProjectionShape> projections;
    private final int rank;
    private final double scale;

    LoraKernel(Map<Target, ProjectionShape> projections, int rank, double scale) {
        this.projections = projections;
        this.rank = rank;
        this.scale = scale;
    }

    @Override
    public int groups(Target t) {
        return 1;
    }

    @Override
    public Pass forward(Map<String, INDArray> p) {
        Map<Target, Pair> f = new EnumMap<>(Target.class);
        projections.forEach((t, s) -> f.put(t, new Pair(
                p.get(t.prefix() + "A").dup('c').reshape(1, s.dIn(), rank),                 // [1, d_in, r]
                p.get(t.prefix() + "B").mul(scale).reshape(1, rank, s.dOut()))));           // [1, r, d_out]
        return new Pass() {
            @Override
            public Map<Target, Pair> factors() {
                return f;
            }

            @Override
            public Map<String, INDArray> backward(Map<Target, Pair> g) {
                Map<String, INDArray> d = new LinkedHashMap<>();
                projections.forEach((t, s) -> {
                    d.put(t.prefix() + "A", g.get(t).a().dup('c').reshape(s.dIn(), rank));    // [d_in, r]
                    d.put(t.prefix() + "B", g.get(t).b().mul(scale).reshape(rank, s.dOut())); // [r, d_out]
                });
                return d;
            }
        };
    }
}
