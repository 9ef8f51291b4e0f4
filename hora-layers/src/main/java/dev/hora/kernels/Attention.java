package dev.hora.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Masked multi-head scaled dot-product attention on fused Q|K|V rows, head by head in place
 * ({@link StridedGemm}: no permute copies):
 * <pre>
 *   qkv [B S, 3d] = [Q | K | V], row b S + s, head h in columns h d_h .. (h+1) d_h - 1 of each block
 *   P_bh  = softmax(c Q_bh K_bh^T + m_b)      [S, S], c = 1 / sqrt(d_h), m_b [1, S] additive mask
 *   ctx_bh = P_bh V_bh                        ctx [B S, d], same column layout as Q
 *   backward: dP = dctx V^T,  dV = P^T dctx,  dS = P (dP - rowsum(dP P)),  dQ = c dS K,  dK = c dS^T Q
 * </pre>
 * P [B, H, S, S] is kept for the backward pass.
 */
public final class Attention {
    private Attention() {
    }

    /** What the forward pass returns: ctx [B S, d] and P [B, H, S, S]. */
    public record Saved(INDArray context, INDArray probs) {
    }

    /**
     * @param qkv      [B S, 3d]
     * @param additive [B, S]: 0 for tokens, the mask value (e.g. -1e4) for padding
     */
    public static Saved forward(INDArray qkv, INDArray additive, int batch, int seq, int heads) {
        return forward(qkv, additive, batch, seq, heads, true);
    }

    /**
     * As {@link #forward(INDArray, INDArray, int, int, int)}; without {@code keepProbs} (inference) P lives in this
     * thread's scratch on the CPU path (no array made per call) and {@link Saved#probs()} is null.
     */
    public static Saved forward(INDArray qkv, INDArray additive, int batch, int seq, int heads, boolean keepProbs) {
        StridedGemm.check(qkv, "qkv");
        int d = (int) (qkv.size(1) / 3);
        int dh = d / heads;
        double c = 1.0 / Math.sqrt(dh);
        boolean loops = CpuLoops.applies(qkv, additive);
        long pLength = (long) batch * heads * seq * seq;
        INDArray probs = keepProbs || !loops ? Nd4j.createUninitialized(qkv.dataType(), batch, heads, seq, seq)
                : SCRATCH.get(qkv.dataType(), pLength);
        INDArray ctx = Nd4j.createUninitialized(qkv.dataType(), (long) batch * seq, d);
        Offsets o = new Offsets(batch, seq, heads, d);
        StridedGemm.batch(false, true, seq, seq, dh, c, qkv, o.q, 3 * d, qkv, o.k, 3 * d, 0, probs, o.p, seq);
        if (loops) {
            CpuLoops.maskedSoftmax(probs, additive, batch, heads, seq);
        } else {
            probs.addi(additive.reshape(batch, 1, 1, seq));
            Nd4j.exec(new SoftMax(probs, probs, 3));
        }
        StridedGemm.batch(false, false, seq, dh, seq, 1, probs, o.p, seq, qkv, o.v, 3 * d, 0, ctx, o.ctx, d);
        return new Saved(ctx, keepProbs ? probs : null);
    }

    private static final Scratch SCRATCH = new Scratch();

    /** Element offsets of every (b, h) block: Q, K, V in qkv, P in probs, the head's columns in ctx. */
    private static final class Offsets {
        final long[] q, k, v, p, ctx;

        Offsets(int batch, int seq, int heads, int d) {
            int n = batch * heads;
            q = new long[n];
            k = new long[n];
            v = new long[n];
            p = new long[n];
            ctx = new long[n];
            int dh = d / heads;
            for (int b = 0; b < batch; b++) {
                for (int h = 0; h < heads; h++) {
                    int i = b * heads + h;
                    q[i] = (long) b * seq * 3 * d + (long) h * dh;
                    k[i] = q[i] + d;
                    v[i] = q[i] + 2L * d;
                    p[i] = (long) i * seq * seq;
                    ctx[i] = (long) b * seq * d + (long) h * dh;
                }
            }
        }
    }

    /** d(qkv) [B S, 3d] from d(ctx) [B S, d]. */
    public static INDArray backward(INDArray dctx, Saved s, INDArray qkv, int batch, int seq, int heads) {
        StridedGemm.check(dctx, "dctx");
        int d = (int) dctx.size(1);
        int dh = d / heads;
        double c = 1.0 / Math.sqrt(dh);
        INDArray p = s.probs();
        INDArray dp = Nd4j.createUninitialized(p.dataType(), p.shape());
        INDArray dqkv = Nd4j.createUninitialized(qkv.dataType(), qkv.shape());
        Offsets o = new Offsets(batch, seq, heads, d);
        StridedGemm.batch(false, true, seq, seq, dh, 1, dctx, o.ctx, d, qkv, o.v, 3 * d, 0, dp, o.p, seq);
        StridedGemm.batch(true, false, seq, dh, seq, 1, p, o.p, seq, dctx, o.ctx, d, 0, dqkv, o.v, 3 * d);
        if (CpuLoops.applies(dp, p)) {
            CpuLoops.softmaxBack(dp, p, batch * heads * seq, seq);
        } else {
            INDArray dotRow = dp.mul(p).sum(true, 3);                  // [B, H, S, 1]
            dp.subi(dotRow).muli(p);                                   // dS
        }
        StridedGemm.batch(false, false, seq, dh, seq, c, dp, o.p, seq, qkv, o.k, 3 * d, 0, dqkv, o.q, 3 * d);
        StridedGemm.batch(true, false, seq, dh, seq, c, dp, o.p, seq, qkv, o.q, 3 * d, 0, dqkv, o.k, 3 * d);
        return dqkv;
    }
}
