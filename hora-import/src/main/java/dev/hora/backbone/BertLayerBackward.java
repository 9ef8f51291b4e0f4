package dev.hora.backbone;

import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.kernels.Attention;
import dev.hora.kernels.Gelu;
import dev.hora.kernels.LayerNorm;
import dev.hora.kernels.Linear;
import dev.hora.kernels.LowRank;
import dev.hora.kernels.StridedGemm;
import dev.hora.kernels.Timer;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of one post-LN BERT layer of {@link BertBackbone}, from what its forward kept:
 * <pre>
 *   dOut = LN2'(dy)        dg = dOut W_2^T      dz = GELU'(dg)     dh = dz W_i^T + dOut
 *   da = LN1'(dh)          dctx = da W_o^T      dqkv = MHA'(dctx)  dx = dqkv [W_q|W_k|W_v]^T + da
 *   at each adapted projection t with input x_t and output gradient dy_t:
 *     DENSE       d(dW_t) = x_t^T dy_t
 *     FACTORISED  (da_g, db_g) of (x_t a_g) b_g, and its path into dx_t
 * </pre>
 * Never the gradient of a frozen tensor.
 */
final class BertLayerBackward {
    private BertLayerBackward() {
    }

    /** One layer's backward: dx from dL/d(layer output); adapter gradients into {@code grads}. */
    static INDArray run(BertBackbone.Pass p, int l, INDArray dy, Map<Key, FactorSource.Values> grads, int d,
                        int heads) {
        BertBackbone.Saved s = p.saved.get(l);
        INDArray dOut = LayerNorm.backwardInPlace(dy, s.w().ln2G(), s.ln2());        // d(o + h) [T, d]
        Timer.lap("b.ln2");
        INDArray dg = Linear.inputGradient(dOut, s.outW(), null);                     // [T, f]
        adapterGrad(p, l, Target.FFN_OUT, s, s.g(), dOut, 0, dg, grads);
        Timer.lap("b.ffn_out");
        INDArray dz = Gelu.backwardInPlace(dg, s.dydz());
        adapterGrad(p, l, Target.FFN_IN, s, s.ln1().y(), dz, 0, dOut, grads);
        INDArray dh = Linear.inputGradient(dz, s.iW(), dOut);
        Timer.lap("b.ffn_in");
        INDArray da = LayerNorm.backwardInPlace(dh, s.w().ln1G(), s.ln1());          // d(a + x)
        Timer.lap("b.ln1");
        INDArray dctx = Linear.inputGradient(da, s.oW(), null);
        adapterGrad(p, l, Target.O, s, s.att().context(), da, 0, dctx, grads);
        Timer.lap("b.o");
        INDArray dqkv = Attention.backward(dctx, s.att(), s.qkv(), p.batch, p.seq, heads);
        Timer.lap("b.attention");
        for (Target t : new Target[]{Target.Q, Target.K, Target.V}) {
            adapterGrad(p, l, t, s, s.x(), dqkv, (long) t.ordinal() * d, da, grads);
        }
        INDArray dx = Linear.inputGradient(dqkv, s.qkvW(), da);                       // dx [T, d]
        Timer.lap("b.qkv");
        return dx;
    }

    /** Gradient of the adapter at (l, t), if any; a factorised one also adds its path into dx. */
    private static void adapterGrad(BertBackbone.Pass p, int l, Target t, BertBackbone.Saved s, INDArray x, INDArray dy, long offset,
                                    INDArray dx, Map<Key, FactorSource.Values> grads) {
        Key key = new Key(l, t);
        FactorSource.Values f = p.adapters.get(key);
        if (f == null) {
            return;
        }
        if (f.mode() == ApplyMode.DENSE) {
            int in = (int) x.size(1);
            int out = (int) f.deltaW().size(1);
            INDArray dw = Nd4j.create(x.dataType(), in, out);
            StridedGemm.gemm(true, false, in, out, (int) x.size(0), 1, x, 0, in, dy, offset, (int) dy.size(1),
                    0, dw, 0, out);
            grads.put(key, new FactorSource.Values(ApplyMode.DENSE, null, null, dw));
        } else {
            INDArray m = p.dropout.mask(x, l, t);                       // the forward's mask, drawn again
            INDArray dxd = m == null ? dx : Nd4j.zeros(dx.dataType(), dx.shape());
            INDArray[] g = LowRank.backward(m == null ? x : x.mul(m), s.xa().get(t), f.a(), f.b(), dy, offset, dxd);
            if (m != null) {
                dx.addi(dxd.muli(m));
            }
            grads.put(key, new FactorSource.Values(ApplyMode.FACTORISED, g[0], g[1], null));
        }
    }
}
