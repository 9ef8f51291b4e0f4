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
        StridedGemm.check(qkv, "qkv");
        int d = (int) (qkv.size(1) / 3);
        int dh = d / heads;
        double c = 1.0 / Math.sqrt(dh);
        INDArray probs = Nd4j.create(qkv.dataType(), batch, heads, seq, seq);
        INDArray ctx = Nd4j.create(qkv.dataType(), (long) batch * seq, d);
        int ld = 3 * d;
        long ss = (long) seq * seq;
        for (int b = 0; b < batch; b++) {
            long row = (long) b * seq * ld;
            for (int h = 0; h < heads; h++) {
                StridedGemm.gemm(false, true, seq, seq, dh, c, qkv, row + (long) h * dh, ld,
                        qkv, row + d + (long) h * dh, ld, 0, probs, ((long) b * heads + h) * ss, seq);
            }
        }
        probs.addi(additive.reshape(batch, 1, 1, seq));
        Nd4j.exec(new SoftMax(probs, probs, 3));
        for (int b = 0; b < batch; b++) {
            long row = (long) b * seq * ld;
            for (int h = 0; h < heads; h++) {
                StridedGemm.gemm(false, false, seq, dh, seq, 1, probs, ((long) b * heads + h) * ss, seq,
                        qkv, row + 2L * d + (long) h * dh, ld, 0, ctx, (long) b * seq * d + (long) h * dh, d);
            }
        }
        return new Saved(ctx, probs);
    }

    /** d(qkv) [B S, 3d] from d(ctx) [B S, d]. */
    public static INDArray backward(INDArray dctx, Saved s, INDArray qkv, int batch, int seq, int heads) {
        StridedGemm.check(dctx, "dctx");
        int d = (int) dctx.size(1);
        int dh = d / heads;
        double c = 1.0 / Math.sqrt(dh);
        int ld = 3 * d;
        long ss = (long) seq * seq;
        INDArray p = s.probs();
        INDArray dp = Nd4j.create(p.dataType(), p.shape());
        INDArray dqkv = Nd4j.create(qkv.dataType(), qkv.shape());
        for (int b = 0; b < batch; b++) {
            long row = (long) b * seq * ld;
            long crow = (long) b * seq * d;
            for (int h = 0; h < heads; h++) {
                long po = ((long) b * heads + h) * ss;
                StridedGemm.gemm(false, true, seq, seq, dh, 1, dctx, crow + (long) h * dh, d,
                        qkv, row + 2L * d + (long) h * dh, ld, 0, dp, po, seq);
                StridedGemm.gemm(true, false, seq, dh, seq, 1, p, po, seq, dctx, crow + (long) h * dh, d,
                        0, dqkv, row + 2L * d + (long) h * dh, ld);
            }
        }
        INDArray dotRow = dp.mul(p).sum(true, 3);                      // [B, H, S, 1]
        dp.subi(dotRow).muli(p);                                       // dS
        for (int b = 0; b < batch; b++) {
            long row = (long) b * seq * ld;
            for (int h = 0; h < heads; h++) {
                long po = ((long) b * heads + h) * ss;
                StridedGemm.gemm(false, false, seq, dh, seq, c, dp, po, seq, qkv, row + d + (long) h * dh, ld,
                        0, dqkv, row + (long) h * dh, ld);
                StridedGemm.gemm(true, false, seq, dh, seq, c, dp, po, seq, qkv, row + (long) h * dh, ld,
                        0, dqkv, row + d + (long) h * dh, ld);
            }
        }
        return dqkv;
    }
}
