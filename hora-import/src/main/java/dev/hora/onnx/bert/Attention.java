package dev.hora.onnx.bert;

import dev.hora.onnx.BertConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Scaled dot-product attention over H heads, from projected Q, K, V rows.
 *
 * <pre>
 *   Q, K, V [b*s, d] -> [b, s, H, d_h] -> [b, H, s, d_h]
 *   P = softmax(Q K^T / sqrt(d_h) + additive)    [b, H, s, s], additive [b, 1, 1, s]
 *   out = P V -> [b, s, H, d_h] -> [b*s, d]
 * </pre>
 */
final class Attention {
    private final SameDiff sd;
    private final int hidden;
    private final double scale;
    private final SDVariable shape4;
    private final SDVariable additive;

    Attention(SameDiff sd, BertConfig c, SDVariable batchSeq, SDVariable additive) {
        this.sd = sd;
        this.hidden = c.hiddenSize();
        this.scale = 1.0 / Math.sqrt(c.headDim());
        this.shape4 = sd.concat(0, batchSeq, sd.constant(Nd4j.createFromArray((long) c.numHeads(), c.headDim())));
        this.additive = additive;
    }

    SDVariable apply(SDVariable q, SDVariable k, SDVariable v) {
        SDVariable qh = heads(q.mul(scale));                                        // [b, H, s, d_h]
        SDVariable kh = heads(k);
        SDVariable vh = heads(v);
        SDVariable scores = sd.mmul(qh, kh, false, true, false).add(additive);     // [b, H, s, s]
        SDVariable ctx = sd.mmul(sd.nn.softmax(scores, 3), vh);                    // [b, H, s, d_h]
        return sd.reshape(sd.permute(ctx, 0, 2, 1, 3), -1, hidden);                 // [b*s, d]
    }

    private SDVariable heads(SDVariable x) {
        return sd.permute(sd.reshape(x, shape4), 0, 2, 1, 3);
    }
}
