package dev.hora.compare;

import dev.hora.adapter.Adapters;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.onnx.BertConfig;

/**
 * {@code --match-params}: the LoRA / MH-LoRA rank whose trainable count is nearest a HoRA
 * variant's, from the adapters' own counts on the model's attention shapes:
 * <pre>
 *   count(cfg) = |layers| * Adapter.numTrainableParams(cfg, d_model, H)       (head not included)
 *   r* = argmin_{r in [1, 256]} |count(kind, r) - count(hora)|   (the smaller r on ties)
 * </pre>
 */
public final class ParamMatch {
    static final int MAX_RANK = 256;

    private ParamMatch() {
    }

    /** Adapter scalars the optimizer updates over {@code layers} attention layers. */
    public static long count(AdapterConfig cfg, BertConfig bert, int layers) {
        return layers * Adapters.forAttention(cfg, bert.hiddenSize(), bert.numHeads()).numTrainableParams();
    }

    /** The rank of {@code kind} nearest {@code target} scalars, other settings as {@code base}. */
    public static int rank(AdapterKind kind, AdapterConfig base, BertConfig bert, int layers, long target) {
        int best = 1;
        long bestGap = Long.MAX_VALUE;
        for (int r = 1; r <= MAX_RANK; r++) {
            long gap = Math.abs(count(base.toBuilder().kind(kind).rank(r).build(), bert, layers) - target);
            if (gap < bestGap) {
                best = r;
                bestGap = gap;
            }
        }
        return best;
    }
}
