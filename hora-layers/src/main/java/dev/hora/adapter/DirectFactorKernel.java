package dev.hora.adapter;

import dev.hora.config.Target;
import java.nio.FloatBuffer;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
            f.put(t, new Pair(scaled(p.get(t.prefix() + "A"), 1, g, s.dIn(), rank),              // [G, d_in, r]
                    scaled(p.get(t.prefix() + "B"), scale, g, rank, s.dOut() / g)));          // [G, r, d_out/G]
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
                    d.put(t.prefix() + "A", scaled(grads.get(t).a(), 1, p.get(t.prefix() + "A").shape()));
                    d.put(t.prefix() + "B", scaled(grads.get(t).b(), scale, p.get(t.prefix() + "B").shape()));
                });
                return d;
            }
        };
    }

    /**
     * A new c-order array of {@code shape} holding {@code s x} (x's elements in c order): for float arrays one
     * allocation and a Java loop over the buffers (ND4J's dup / mul and reshape had made ~5 tracked buffers and 2
     * native ops per factor, 4 factors per site and step); the same float products x * (float) s either way.
     */
    static INDArray scaled(INDArray x, double s, long... shape) {
        if (x.dataType() != DataType.FLOAT || x.ordering() != 'c' || x.isView() || x.length() != x.data().length()) {
            return (s == 1 ? x.dup('c') : x.mul(s)).reshape(shape);
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape);
        FloatBuffer in = x.data().asNioFloat();
        FloatBuffer o = out.data().asNioFloat();
        int n = (int) x.length();
        int i0 = (int) x.offset();
        int o0 = (int) out.offset();
        if (s == 1) {
            o.put(o0, in, i0, n);
        } else {
            float f = (float) s;
            for (int i = 0; i < n; i++) {
                o.put(o0 + i, in.get(i0 + i) * f);
            }
        }
        return out;
    }
}
