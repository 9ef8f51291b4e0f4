package dev.hora.adapter.hora;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import dev.hora.adapter.FactorKernel;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import dev.hora.kernels.Broadcast;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * HoRA's hypernetwork and its hand-derived backward, per target t (m seed rows: H r, plus r with the
 * shared pair, whose seeds Zs are stacked under Z and go through the same generator):
 * <pre>
 *   S = [Z_t ; Zs_t]  [m, e]     P = S W1 + b1  [m, k]     U = act(P)  [m, k]
 *   Â = U W2A_t + cA_t  [m, d_in]     B̂ = U W2B_t + cB_t  [m, d_h]     (per-head outputs: rows of
 *                                                                        head i use W2A_t[i], cA_t[i], ...)
 *   a_t[i] = (rows i r .. i r + r - 1 of Â  |  shared rows H r ..)^T     [H, d_in, r']
 *   b_t[i] = s (rows i r .. of B̂  ;  shared rows)                      [H, r', d_h]
 *
 *   backward, from da_t [H, d_in, r'], db_t [H, r', d_h]:
 *   dÂ = rows of da_t^T (shared rows summed over heads),  dB̂ = s (rows of db_t, likewise)
 *   dW2A_t = U^T dÂ,  dcA_t = 1^T dÂ,  dW2B_t = U^T dB̂,  dcB_t = 1^T dB̂
 *   dU = dÂ W2A_t^T + dB̂ W2B_t^T,  dP = dU * act'(P)
 *   dW1 += S^T dP,  db1 += 1^T dP,  [dZ_t ; dZs_t] = dP W1^T
 * </pre>
 */
final class HoraKernel implements FactorKernel {
    private final AdapterConfig config;
    private final Map<Target, ProjectionShape> projections;
    private final int heads;

    HoraKernel(AdapterConfig config, Map<Target, ProjectionShape> projections, int heads) {
        this.config = config;
        this.projections = projections;
        this.heads = heads;
    }

    @Override
    public int groups(Target t) {
        return heads;
    }

    @Override
    public Pass forward(Map<String, INDArray> p) {
        Map<Target, Generated> gen = new EnumMap<>(Target.class);
        Map<Target, Pair> f = new EnumMap<>(Target.class);
        projections.forEach((t, s) -> {
            Generated g = new Generated(p, t, s);
            gen.put(t, g);
            f.put(t, g.factors);
        });
        return new Pass() {
            @Override
            public Map<Target, Pair> factors() {
                return f;
            }

            @Override
            public Map<String, INDArray> backward(Map<Target, Pair> grads) {
                Map<String, INDArray> d = new LinkedHashMap<>();
                d.put("W1", Nd4j.zeros(p.get("W1").dataType(), p.get("W1").shape()));
                d.put("b1", Nd4j.zeros(p.get("b1").dataType(), p.get("b1").shape()));
                gen.forEach((t, g) -> g.backward(grads.get(t), d));
                return d;
            }
        };
    }

    /** One target's generator pass: what its backward needs. */
    private final class Generated {
        private final Map<String, INDArray> p;
        private final String t;
        private final ProjectionShape shape;
        private final int r = config.getRank();
        private final long hr = (long) heads * config.getRank();
        private final INDArray seeds;   // S [m, e]
        private final INDArray pre;     // P [m, k]
        private final INDArray u;       // U [m, k]
        private final Pair factors;

        Generated(Map<String, INDArray> p, Target target, ProjectionShape shape) {
            this.p = p;
            this.t = target.prefix();
            this.shape = shape;
            INDArray z = p.get(t + "Z");
            seeds = config.isSharedPair() ? Nd4j.concat(0, z, p.get(t + "Zs")) : z;
            pre = Broadcast.addRow(seeds.mmul(p.get("W1")), p.get("b1"));
            u = Activations.forward(pre, config.getActivation());
            INDArray a = rowsToHeads(out(t + "W2A", t + "cA"), shape.dIn());              // [H, r', d_in]
            INDArray b = rowsToHeads(out(t + "W2B", t + "cB"), shape.dHead());            // [H, r', d_h]
            factors = new Pair(a.permute(0, 2, 1).dup('c'), b.muli(config.scale()));
        }

        /** U W2 + c: [m, d] (per-head outputs: head i's rows through W2[i] [k, d], c[i] [1, d]). */
        private INDArray out(String w, String c) {
            if (!config.isPerHeadOutput()) {
                return Broadcast.addRow(u.mmul(p.get(w)), p.get(c));
            }
            long d = p.get(w).size(2);
            return Nd4j.matmul(u.reshape(heads, r, u.size(1)), p.get(w)).addi(p.get(c)).reshape(hr, d);
        }

        /** [m, d] -> [H, r', d]: head i's r rows, then (shared pair) the r shared rows. */
        private INDArray rowsToHeads(INDArray rows, long d) {
            if (!config.isSharedPair()) {
                return rows.reshape(heads, r, d).dup('c');
            }
            INDArray own = rows.get(interval(0, hr), all()).reshape(heads, r, d);
            INDArray shared = rows.get(interval(hr, hr + r), all()).reshape(1, r, d);
            return Nd4j.concat(1, own, Nd4j.tile(shared, heads, 1, 1));
        }

        /** [H, r', d] -> [m, d], the inverse map's adjoint: the shared rows' gradients summed over heads. */
        private INDArray headsToRows(INDArray g3, long d) {
            INDArray c = g3.dup('c');
            if (!config.isSharedPair()) {
                return c.reshape(hr, d);
            }
            INDArray own = c.get(all(), interval(0, r), all()).dup('c').reshape(hr, d);
            INDArray shared = c.get(all(), interval(r, 2L * r), all()).sum(0);              // [r, d]
            return Nd4j.concat(0, own, shared);
        }

        /** dW2, dc into {@code d}; returns this output's part of dU [m, k]. */
        private INDArray outBackward(INDArray g, String w, String c, Map<String, INDArray> d) {
            INDArray w2 = p.get(w);
            if (!config.isPerHeadOutput()) {
                d.put(w, u.transpose().mmul(g));                                            // [k, d]
                d.put(c, g.sum(true, 0));                                                    // [1, d]
                return g.mmul(w2.transpose());                                               // [m, k]
            }
            INDArray g3 = g.reshape(heads, r, w2.size(2));                                  // [H, r, d]
            d.put(w, Nd4j.matmul(u.reshape(heads, r, u.size(1)), g3, null, true, false, false)); // [H, k, d]
            d.put(c, g3.sum(true, 1));                                                       // [H, 1, d]
            return Nd4j.matmul(g3, w2, null, false, true, false).reshape(hr, u.size(1));     // [m, k]
        }

        void backward(Pair g, Map<String, INDArray> d) {
            INDArray gA = headsToRows(g.a().permute(0, 2, 1), shape.dIn());                // [m, d_in]
            INDArray gB = headsToRows(g.b(), shape.dHead()).muli(config.scale());          // [m, d_h]
            INDArray du = outBackward(gA, t + "W2A", t + "cA", d).addi(outBackward(gB, t + "W2B", t + "cB", d));
            INDArray dp = Activations.backwardInPlace(du, pre, u, config.getActivation());  // [m, k]
            d.get("W1").addi(seeds.transpose().mmul(dp));
            d.get("b1").addi(dp.sum(true, 0));
            INDArray ds = dp.mmul(p.get("W1").transpose());                                  // [m, e]
            if (config.isSharedPair()) {
                d.put(t + "Z", ds.get(interval(0, hr), all()).dup('c'));
                d.put(t + "Zs", ds.get(interval(hr, hr + r), all()).dup('c'));
            } else {
                d.put(t + "Z", ds);
            }
        }
    }
}
