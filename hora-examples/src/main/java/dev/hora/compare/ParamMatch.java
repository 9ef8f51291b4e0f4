package dev.hora.compare;

import dev.hora.adapter.Adapters;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.BertConfig;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code --match-params}: the LoRA / MH-LoRA rank whose trainable count is nearest a HoRA
 * variant's, from the adapters' own counts on the model's projection shapes:
 * <pre>
 *   shape(t) = [d, d] for Q, K, V, O;  [d, d_ff] for FFN_IN;  [d_ff, d] for FFN_OUT   (H heads each)
 *   count(cfg) = |layers| * Adapter.numTrainableParams(cfg, shape(t) for t in targets)   (head not included)
 *   r* = argmin_{r in [1, 256]} |count(kind, r) - count(hora)|   (the smaller r on ties)
 * </pre>
 */
public final class ParamMatch {
    static final int MAX_RANK = 256;

    private ParamMatch() {
    }

    /** Adapter scalars the optimizer updates over {@code layers} encoder layers. */
    public static long count(AdapterConfig cfg, BertConfig bert, int layers) {
        return layers * Adapters.create(cfg, shapes(cfg, bert)).numTrainableParams();
    }

    /**
     * The shape of every configured target in one encoder layer of {@code bert}, as the importer
     * sees the weights: attention projections {@code [d, d]}, FFN_IN {@code [d, d_ff]}, FFN_OUT
     * {@code [d_ff, d]}, all split into the model's head count.
     */
    static Map<Target, ProjectionShape> shapes(AdapterConfig cfg, BertConfig bert) {
        long d = bert.hiddenSize();
        long ff = bert.intermediateSize();
        Map<Target, ProjectionShape> m = new EnumMap<>(Target.class);
        for (Target t : cfg.validate().getTargets()) {
            m.put(t, switch (t) {
                case FFN_IN -> new ProjectionShape(d, ff, bert.numHeads());
                case FFN_OUT -> new ProjectionShape(ff, d, bert.numHeads());
                default -> new ProjectionShape(d, d, bert.numHeads());
            });
        }
        return m;
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
