package dev.hora.onnx.bert;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * LayerNorm over the last axis of x [n, d]:
 *
 * <pre>
 *   LN(x) = (x - mean) / sqrt(var + eps) * gamma + beta          mean, var [n, 1] (population variance)
 * </pre>
 *
 * libnd4j's fused {@code layer_norm} op (one op forward, one {@code layer_norm_bp} backward, instead of
 * about 8 forward and 15 backward ops) computes {@code (x - mean) / sqrt(var)}: it has no eps. Dropping eps
 * changes the result by a relative eps / (2 var), so the fused op is used only for eps <=
 * {@link #FUSED_MAX_EPS} (BERT/MiniLM exports: 1e-12); larger eps (e.g. 1e-5) get the exact decomposed form
 * {@code (x - mean) * rsqrt(var + eps)}.
 */
final class LayerNorms {
    /** Largest eps for which the eps-free fused op is used: relative error <= 1e-6 for var >= 5e-5. */
    static final double FUSED_MAX_EPS = 1e-10;

    private LayerNorms() {
    }

    static SDVariable apply(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, double eps) {
        if (eps <= FUSED_MAX_EPS) {
            return sd.nn.layerNorm(x, gamma, beta, false, 1);                 // [n, d]
        }
        SDVariable centred = x.sub(sd.mean(x, true, 1));                      // [n, d]
        SDVariable variance = sd.mean(sd.math.square(centred), true, 1);      // [n, 1]
        return centred.mul(sd.math.rsqrt(variance.add(eps))).mul(gamma).add(beta);
    }
}
