package dev.hora.onnx.bert;

import dev.hora.backbone.Site;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The one place every dense projection of the encoder (Q, K, V, attention output, FFN
 * intermediate, FFN output) is computed, so adapters can be inserted:
 *
 * <pre>
 *   x2d [n, d_in] ── project(site, x2d, W [d_in, d_out], b [d_out]) ── y [n, d_out]
 *   default:  y = x W + b
 *   e.g. LoRA: y = x W + b + s (x A) B
 * </pre>
 *
 * n = batch * sequence (rows are tokens). W and b are constants unless the encoder was built with
 * trainable weights. The hook must return [n, d_out].
 */
@FunctionalInterface
public interface ProjectionHook {
    /**
     * y = x W + b as one fused {@code xw_plus_b} op ({@code sd.nn.linear}): same result as
     * {@code x.mmul(w).add(b)}, and its single backward op is ~1.6x faster than mmul_bp + add_bp.
     */
    ProjectionHook DEFAULT = (sd, site, x, w, b) -> sd.nn.linear(x, w, b);

    SDVariable project(SameDiff sd, Site site, SDVariable x2d, SDVariable w, SDVariable b);
}
