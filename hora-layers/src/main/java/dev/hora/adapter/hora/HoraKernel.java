package dev.hora.adapter.hora;

import dev.hora.adapter.FactorKernel;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.hora.kernels.StridedGemm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * HoRA's hypernetwork and its hand-derived backward for one layer, all targets at once, on plain
 * {@code double[]} matrices ({@link RowMajor}; the generator is tiny, so ND4J's per-op dispatch, ~30 ops
 * per target, cost more than the arithmetic). Target t owns m = H r seed rows (plus r with the shared
 * pair, whose seeds Zs sit under Z and go through the same generator); the rows of all targets are
 * stacked, so the shared first layer is one product:
 * <pre>
 *   S = [Z_q ; Zs_q ; Z_v ; ...]  [M, e]     P = S W1 + b1  [M, k]     U = act(P)  [M, k]
 *   per target t (rows U_t [m, k]):
 *   Â_t = U_t W2A_t + cA_t  [m, d_in]     B̂_t = U_t W2B_t + cB_t  [m, d_h]   (per-head outputs: rows of
 *                                                                          head i use W2A_t[i], cA_t[i], ...)
 *   a_t[i] = (rows i r .. i r + r - 1 of Â_t  |  shared rows H r ..)^T     [H, d_in, r']
 *   b_t[i] = s (rows i r .. of B̂_t  ;  shared rows)                      [H, r', d_h]
 *
 *   backward, from da_t [H, d_in, r'], db_t [H, r', d_h]:
 *   dÂ_t = rows of da_t^T (shared rows summed over heads),  dB̂_t = s (rows of db_t, likewise)
 *   dW2A_t = U_t^T dÂ_t,  dcA_t = 1^T dÂ_t,  dW2B_t = U_t^T dB̂_t,  dcB_t = 1^T dB̂_t
 *   dU_t = dÂ_t W2A_t^T + dB̂_t W2B_t^T,  dP = dU * act'(P)
 *   dW1 = S^T dP,  db1 = 1^T dP,  [dZ_q ; dZs_q ; ...] = dP W1^T
 * </pre>
 * Computed in double whatever the parameters' type; factors and gradients come back in that type.
 */
final class HoraKernel implements FactorKernel {
    private final AdapterConfig config;
    private final Map<Target, ProjectionShape> projections;
    private final List<Target> targets;
    private final int heads;
    private final int r;
    private final int e;
    private final int k;
    private final int hr;
    /** Seed rows per target: H r, plus r with the shared pair. */
    private final int m;
    private final boolean perHead;

    HoraKernel(AdapterConfig config, Map<Target, ProjectionShape> projections, int heads) {
        this.config = config;
        this.projections = projections;
        this.targets = new ArrayList<>(projections.keySet());
        this.heads = heads;
        this.r = config.getRank();
        this.e = config.getSeedWidth();
        this.k = config.getHiddenWidth();
        this.hr = heads * r;
        this.m = hr + (config.isSharedPair() ? r : 0);
        this.perHead = config.isPerHeadOutput();
    }

    @Override
    public int groups(Target t) {
        return heads;
    }

    @Override
    public Pass forward(Map<String, INDArray> p) {
        DataType dt = p.get("W1").dataType();
        int rows = m * targets.size();
        double[] w1 = RowMajor.read(p.get("W1"));
        double[] s = new double[rows * e];                                                  // S [M, e]
        for (int j = 0; j < targets.size(); j++) {
            String t = targets.get(j).prefix();
            System.arraycopy(RowMajor.read(p.get(t + "Z")), 0, s, j * m * e, hr * e);
            if (config.isSharedPair()) {
                System.arraycopy(RowMajor.read(p.get(t + "Zs")), 0, s, (j * m + hr) * e, r * e);
            }
        }
        double[] pre = new double[rows * k];                                               // P [M, k]
        RowMajor.addRow(rows, k, RowMajor.read(p.get("b1")), 0, pre, 0);
        RowMajor.mulAdd(rows, k, e, s, 0, w1, 0, pre, 0);
        double[] u = Activations.forward(pre, config.getActivation());                             // U [M, k]
        INDArray uArr = RowMajor.create(u, dt, rows, k);
        INDArray ones = Nd4j.ones(dt, 2L * r);
        Map<Target, Pair> factors = new EnumMap<>(Target.class);
        Map<Target, Out> outs = new EnumMap<>(Target.class);
        for (int j = 0; j < targets.size(); j++) {
            Target t = targets.get(j);
            ProjectionShape shape = projections.get(t);
            Out o = new Out(p, t.prefix(), j * m, (int) shape.dIn(), (int) shape.dHead());
            outs.put(t, o);
            factors.put(t, o.factors(uArr, ones));
        }
        return new Pass() {
            @Override
            public Map<Target, Pair> factors() {
                return factors;
            }

            @Override
            public Map<String, INDArray> backward(Map<Target, Pair> grads) {
                INDArray du = Nd4j.zeros(dt, rows, k);
                Map<String, INDArray> d = new LinkedHashMap<>();
                targets.forEach(t -> outs.get(t).backward(grads.get(t), uArr, du, d));
                double[] dPre = RowMajor.read(du);                                          // dU, then dP
                Activations.backwardInPlace(dPre, pre, u, config.getActivation());
                double[] dw1 = new double[e * k];
                RowMajor.mulAddTA(e, k, rows, s, 0, dPre, 0, dw1, 0);
                double[] db1 = new double[k];
                RowMajor.addColumnSums(rows, k, dPre, 0, db1, 0);
                double[] ds = new double[rows * e];
                RowMajor.mulAddTB(rows, e, k, dPre, 0, w1, 0, ds, 0);
                Map<String, INDArray> out = new LinkedHashMap<>();
                out.put("W1", RowMajor.create(dw1, dt, e, k));
                out.put("b1", RowMajor.create(db1, dt, 1, k));
                for (int j = 0; j < targets.size(); j++) {
                    String t = targets.get(j).prefix();
                    out.put(t + "Z", RowMajor.create(Arrays.copyOfRange(ds, j * m * e, (j * m + hr) * e), dt, hr, e));
                    if (config.isSharedPair()) {
                        out.put(t + "Zs", RowMajor.create(Arrays.copyOfRange(ds, (j * m + hr) * e, (j * m + hr + r) * e), dt, r, e));
                    }
                }
                out.putAll(d);
                return out;
            }
        };
    }

    /**
     * One target's output layers as strided GEMMs ({@link StridedGemm}) straight into and out of the factor
     * layouts: head i's block of a, a_i = W2A^T U_i^T + cA^T [d_in, r], and of b, b_i = s (U_i W2B + cB)
     * [r, d_h] (the shared pair: the same with the shared rows U_s into columns / rows r .. 2r of every head).
     * Biases enter as rank-1 products with a row of ones; per-head outputs offset W2 and c by head.
     */
    private final class Out {
        private final INDArray w2a;
        private final INDArray w2b;
        private final INDArray ca;
        private final INDArray cb;
        private final String t;
        private final int row0;
        private final int dIn;
        private final int dh;
        private final int rp;
        private final double scale = config.scale();
        /** Per block (own r columns of every head, then the shared ones): offsets into W2A, W2B, U, a, b. */
        private final long[] w2aOff;
        private final long[] w2bOff;
        private final long[] uOff;
        private final long[] aOff;
        private final long[] bOff;

        Out(Map<String, INDArray> p, String t, int row0, int dIn, int dh) {
            this.t = t;
            this.w2a = contiguous(p.get(t + "W2A"));
            this.w2b = contiguous(p.get(t + "W2B"));
            this.ca = contiguous(p.get(t + "cA"));
            this.cb = contiguous(p.get(t + "cB"));
            this.row0 = row0;
            this.dIn = dIn;
            this.dh = dh;
            this.rp = m == hr ? r : 2 * r;
            int n = blocks();
            w2aOff = new long[n];
            w2bOff = new long[n];
            uOff = new long[n];
            aOff = new long[n];
            bOff = new long[n];
            for (int blk = 0; blk < n; blk++) {
                w2aOff[blk] = w2(blk, dIn);
                w2bOff[blk] = w2(blk, dh);
                uOff[blk] = seedRow(blk) * k;
                aOff[blk] = (long) head(blk) * dIn * rp + col(blk);
                bOff[blk] = (long) head(blk) * rp * dh + (long) col(blk) * dh;
            }
        }

        /** Blocks (own r columns of every head, then the shared ones): the head and the seed row of each. */
        private int blocks() {
            return m == hr ? heads : 2 * heads;
        }

        private int head(int blk) {
            return blk % heads;
        }

        /** First seed row of block blk: head i's own rows, or the shared rows. */
        private long seedRow(int blk) {
            return row0 + (blk < heads ? (long) blk * r : hr);
        }

        /** Factor column (a) / row (b) where block blk starts. */
        private int col(int blk) {
            return blk < heads ? 0 : r;
        }

        private long w2(int blk, int d) {
            return perHead ? (long) head(blk) * k * d : 0;
        }

        Pair factors(INDArray u, INDArray ones) {
            DataType dt = u.dataType();
            INDArray a = Nd4j.createUninitialized(dt, heads, dIn, rp);
            INDArray b = Nd4j.createUninitialized(dt, heads, rp, dh);
            long[] cOff = new long[heads];
            long[] cbOff = new long[heads];
            long[] zero = new long[heads];
            long[] aHead = new long[heads];
            long[] bHead = new long[heads];
            for (int i = 0; i < heads; i++) {
                cOff[i] = perHead ? (long) i * dIn : 0;
                cbOff[i] = perHead ? (long) i * dh : 0;
                aHead[i] = (long) i * dIn * rp;
                bHead[i] = (long) i * rp * dh;
            }
            // a_i = cA_i^T 1 [d_in, r'] ; b_i = s 1 cB_i [r', d_h]
            StridedGemm.batch(true, false, dIn, rp, 1, 1, ca, cOff, dIn, ones, zero, rp, 0, a, aHead, rp);
            StridedGemm.batch(false, false, rp, dh, 1, scale, ones, zero, 1, cb, cbOff, dh, 0, b, bHead, dh);
            // a_i[:, block] += W2A^T [d_in, k] U_rows^T [k, r] ; b_i[block, :] += s U_rows [r, k] W2B [k, d_h]
            StridedGemm.batch(true, true, dIn, r, k, 1, w2a, w2aOff, dIn, u, uOff, k, 1, a, aOff, rp);
            StridedGemm.batch(false, false, r, dh, k, scale, u, uOff, k, w2b, w2bOff, dh, 1, b, bOff, dh);
            return new Pair(a, b);
        }

        /** dW2A, dcA, dW2B, dcB into {@code d}; adds this target's rows of dU [M, k]. */
        void backward(Pair g, INDArray u, INDArray du, Map<String, INDArray> d) {
            INDArray ga = contiguous(g.a());                                               // [H, d_in, r']
            INDArray gb = contiguous(g.b());                                               // [H, r', d_h]
            DataType dt = u.dataType();
            INDArray dw2a = Nd4j.zeros(dt, w2a.shape());
            INDArray dw2b = Nd4j.zeros(dt, w2b.shape());
            // dW2A += U_rows^T [k, r] (a_i block)^T-gradient [r, d_in] ; dW2B += s U_rows^T [k, r] db rows [r, d_h]
            StridedGemm.sequence(true, true, k, dIn, r, 1, u, uOff, k, ga, aOff, rp, 1, dw2a, w2aOff, dIn);
            StridedGemm.sequence(true, false, k, dh, r, scale, u, uOff, k, gb, bOff, dh, 1, dw2b, w2bOff, dh);
            // dU_rows += (da block)^T [r, d_in] W2A^T [d_in, k] + s db rows [r, d_h] W2B^T [d_h, k]
            StridedGemm.sequence(true, true, r, k, dIn, 1, ga, aOff, rp, w2a, w2aOff, dIn, 1, du, uOff, k);
            StridedGemm.sequence(false, true, r, k, dh, scale, gb, bOff, dh, w2b, w2bOff, dh, 1, du, uOff, k);
            // dcA = sum_j da_i[:, j] [H, d_in] ; dcB = s sum_j db_i[j, :] [H, d_h] ; both summed over heads when shared
            // (plain loops: ND4J's four reductions made ~60 tracked buffers and 8 native calls per target and step)
            double[] dca = RowMajor.sumAxis(RowMajor.read(ga), heads * dIn, rp, 1, false, 1);   // [H d_in]
            double[] dcb = RowMajor.sumAxis(RowMajor.read(gb), heads, rp, dh, !perHead, scale); // [H or 1, d_h]
            if (!perHead) {
                dca = RowMajor.sumAxis(dca, 1, heads, dIn, true, 1);                 // [1, d_in]
            }
            d.put(t + "W2A", dw2a);
            d.put(t + "W2B", dw2b);
            d.put(t + "cA", RowMajor.create(dca, dt, ca.shape()));
            d.put(t + "cB", RowMajor.create(dcb, dt, cb.shape()));
        }
    }

    private static INDArray contiguous(INDArray x) {
        return x.ordering() == 'c' && !x.isView() ? x : x.dup('c');
    }
}
