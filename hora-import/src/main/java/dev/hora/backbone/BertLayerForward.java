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
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.BertConfig;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The forward pass of one post-LN BERT layer of {@link BertBackbone} (its backward: {@link BertLayerBackward}):
 * <pre>
 *   qkv = x [W_q|W_k|W_v] + b                                   [T, 3d]   (+ each adapted projection's update)
 *   ctx = MHA(qkv, additive mask)                               [T, d]
 *   h = LN1(x + ctx W_o + b_o)                                  [T, d]
 *   g = GELU(h W_i + b_i)                                       [T, f]
 *   y = LN2(h + g W_2 + b_2)                                    [T, d]
 *   update at projection t:  DENSE      W_t + dW_t in place of W_t
 *                            FACTORISED y_t += (x_t a_g) b_g   (one adapter for the batch, or per row segment)
 * </pre>
 * With {@code keep} (a training pass from the lowest adapted layer on), the layer's activations that the
 * backward reads move to the pass's workspace; otherwise the layer's scope is reused by the next layer.
 */
final class BertLayerForward {
    private BertLayerForward() {
    }

    /** Layer l on x [T, d]: its output [T, d] (in {@code outer}); with {@code keep}, what its backward reads into p.saved. */
    static INDArray run(BertBackbone.Pass p, int l, LayerWeights w, BertConfig config, INDArray x, INDArray additive,
                        boolean keep, MemoryWorkspace outer) {
        int d = config.hiddenSize();
        Map<Target, INDArray> xa = keep ? new LinkedHashMap<>() : null;   // what a training pass keeps
        INDArray qkvW = w.qkvW();
        for (Target t : new Target[]{Target.Q, Target.K, Target.V}) {
            FactorSource.Values f = p.adapters == null ? null : p.adapters.get(new Key(l, t));
            if (f != null && f.mode() == ApplyMode.DENSE) {
                if (qkvW == w.qkvW()) {
                    qkvW = w.qkvW().dup('c');
                }
                Linear.addColumns(qkvW, (long) t.ordinal() * d, f.deltaW());
            }
        }
        INDArray qkv = LayerWeights.forward(w.qkv(), x, qkvW);
        Timer.lap("f.qkv");
        for (Target t : new Target[]{Target.Q, Target.K, Target.V}) {
            addFactorised(p, l, t, x, qkv, (long) t.ordinal() * d, xa);
        }
        Attention.Saved att = Attention.forward(qkv, additive, p.batch, p.seq, config.numHeads(), keep);
        Timer.lap("f.attention");
        INDArray oW = effective(p, l, Target.O, w.oW());
        INDArray a = LayerWeights.forward(w.o(), att.context(), oW);
        addFactorised(p, l, Target.O, att.context(), a, 0, xa);
        Timer.lap("f.o");
        LayerNorm.Saved ln1 = keep ? LayerNorm.forwardInPlace(a, x, w.ln1G(), w.ln1B(), config.layerNormEps()) : null;
        INDArray h = keep ? ln1.y() : LayerNorm.inferInPlace(a, x, w.ln1G(), w.ln1B(), config.layerNormEps());
        Timer.lap("f.ln1");
        INDArray iW = effective(p, l, Target.FFN_IN, w.iW());
        INDArray z = LayerWeights.forward(w.ffnIn(), h, iW);
        addFactorised(p, l, Target.FFN_IN, h, z, 0, xa);
        Timer.lap("f.ffn_in");
        INDArray dydz = Gelu.forwardInPlace(z, keep);                                       // z is now g
        Timer.lap("f.gelu");
        INDArray outW = effective(p, l, Target.FFN_OUT, w.outW());
        INDArray o = LayerWeights.forward(w.ffnOut(), z, outW);
        addFactorised(p, l, Target.FFN_OUT, z, o, 0, xa);
        Timer.lap("f.ffn_out");
        if (!keep) {
            return Workspaces.keep(LayerNorm.inferInPlace(o, h, w.ln2G(), w.ln2B(), config.layerNormEps()), outer);
        }
        LayerNorm.Saved ln2 = LayerNorm.forwardInPlace(o, h, w.ln2G(), w.ln2B(), config.layerNormEps());
        Timer.lap("f.ln2");
        // keep only what the backward reads (the rest of this layer's scope is reused by the next layer)
        boolean ffnOut = has(p, l, Target.FFN_OUT);
        Map<Target, INDArray> xaKept = new LinkedHashMap<>();
        xa.forEach((t, v) -> xaKept.put(t, Workspaces.keep(v, outer)));
        INDArray y = Workspaces.keep(ln2.y(), outer);
        p.saved.put(l, new BertBackbone.Saved(x, w, keepW(qkvW, w.qkvW(), outer), keepW(oW, w.oW(), outer),
                keepW(iW, w.iW(), outer), keepW(outW, w.outW(), outer), Workspaces.keep(qkv, outer),
                new Attention.Saved(has(p, l, Target.O) ? Workspaces.keep(att.context(), outer) : null,
                        Workspaces.keep(att.probs(), outer)),
                new LayerNorm.Saved(has(p, l, Target.FFN_IN) ? Workspaces.keep(ln1.y(), outer) : null,
                        Workspaces.keep(ln1.xhat(), outer), Workspaces.keep(ln1.rstd(), outer)),
                ffnOut ? Workspaces.keep(z, outer) : null, Workspaces.keep(dydz, outer),
                new LayerNorm.Saved(y, Workspaces.keep(ln2.xhat(), outer), Workspaces.keep(ln2.rstd(), outer)), xaKept));
        return y;
    }

    private static boolean has(BertBackbone.Pass p, int l, Target t) {
        return p.adapters.containsKey(new Key(l, t));
    }

    /** An effective weight: the frozen one itself, or this step's W + dW moved to the pass's scope. */
    private static INDArray keepW(INDArray effective, INDArray frozen, MemoryWorkspace outer) {
        return effective == frozen ? frozen : Workspaces.keep(effective, outer);
    }

    private static INDArray effective(BertBackbone.Pass p, int l, Target t, INDArray w) {
        FactorSource.Values f = p.adapters == null ? null : p.adapters.get(new Key(l, t));
        return f != null && f.mode() == ApplyMode.DENSE ? w.add(f.deltaW()) : w;
    }

    private static void addFactorised(BertBackbone.Pass p, int l, Target t, INDArray x, INDArray y, long offset,
                                      Map<Target, INDArray> xa) {
        if (p.adapters == null) {
            addRows(p, new Key(l, t), x, y, offset);
            return;
        }
        FactorSource.Values f = p.adapters.get(new Key(l, t));
        if (f != null && f.mode() == ApplyMode.FACTORISED) {
            INDArray m = p.dropout.mask(x, l, t);
            if (xa == null) {
                LowRank.forwardAddInfer(m == null ? x : x.mul(m), f.a(), f.b(), y, offset);
            } else {
                xa.put(t, LowRank.forwardAdd(m == null ? x : x.mul(m), f.a(), f.b(), y, offset));
            }
        }
    }

    /** A mixed batch: each segment's factorised update on its own rows of y. */
    private static void addRows(BertBackbone.Pass p, Key key, INDArray x, INDArray y, long offset) {
        List<AdapterRows.Segment> segs = p.rows.segments();
        int k = 0;
        int[] from = new int[segs.size()];
        int[] to = new int[segs.size()];
        INDArray[] a = new INDArray[segs.size()];
        INDArray[] b = new INDArray[segs.size()];
        for (AdapterRows.Segment seg : segs) {
            FactorSource.Values f = seg.factors().get(key);
            if (f != null) {
                from[k] = seg.from() * p.seq;
                to[k] = Math.min(seg.to(), p.batch) * p.seq;
                a[k] = StridedGemm.contiguous(f.a());
                b[k] = StridedGemm.contiguous(f.b());
                k++;
            }
        }
        if (k > 0) {
            LowRank.forwardAddSegments(x, Arrays.copyOf(from, k), Arrays.copyOf(to, k),
                    Arrays.copyOf(a, k), Arrays.copyOf(b, k), y, offset);
        }
    }
}
