package dev.hora.adapter;

import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The factor map of the kinds whose parameters are the factors themselves: LoRA (G = 1) and MH-LoRA
 * (G = H, one pair per head).
 * <pre>
 *   forward    a_t = A_t       [d_in, r] or [H, d_in, r]  ->  [G, d_in, r]
 *              b_t = s B_t     [r, d_out] or [H, r, d_h]  ->  [G, r, d_out / G]
 *   backward   dA_t = da_t,  dB_t = s db_t                    (back in the parameters' own shapes)
 * </pre>
 */
public final class DirectFactorKernel implements FactorKernel {
    private final Map<Target, ProjectionShape> projections;
    private final int rank;
    private final double scale;
    private final boolean perHead;

    private DirectFactorKernel(Map<Target, ProjectionShape> projections, int rank, double scale, boolean perHead) {
        this.projections = projections;
        this.rank = rank;
        this.scale = scale;
        this.perHead = perHead;
    }

    /** LoRA: one pair per target, A [d_in, r], B [r, d_out]. */
    public static DirectFactorKernel oneGroup(Map<Target, ProjectionShape> projections, int rank, double scale) {
        return new DirectFactorKernel(projections, rank, scale, false);
    }

    /** MH-LoRA: one pair per head, A [H, d_in, r], B [H, r, d_h]. */
    public static DirectFactorKernel perHead(Map<Target, ProjectionShape> projections, int rank, double scale) {
        return new DirectFactorKernel(projections, rank, scale, true);
    }

    @Override
    public int groups(Target t) {
        return perHead ? projections.get(t).heads() : 1;
    }

    @Override
    public Pass forward(Map<String, INDArray> p) {
        Map<Target, Pair> f = new EnumMap<>(Target.class);
        projections.forEach((t, s) -> {
            int g = groups(t);
            f.put(t, new Pair(p.get(t.prefix() + "A").dup('c').reshape(g, s.dIn(), rank),       // [G, d_in, r]
                    p.get(t.prefix() + "B").mul(scale).reshape(g, rank, s.dOut() / g)));       // [G, r, d_out/G]
        });
        return new Pass() {
            @Override
            public Map<Target, Pair> factors() {
                return f;
            }

            @Override
            public Map<String, INDArray> backward(Map<Target, Pair> grads) {
                Map<String, INDArray> d = new LinkedHashMap<>();
                projections.keySet().forEach(t -> {
                    d.put(t.prefix() + "A", grads.get(t).a().dup('c').reshape(p.get(t.prefix() + "A").shape()));
                    d.put(t.prefix() + "B", grads.get(t).b().mul(scale).reshape(p.get(t.prefix() + "B").shape()));
                });
                return d;
            }
        };
    }
}
