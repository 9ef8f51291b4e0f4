package dev.hora.backbone;

import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.adapter.FactorSource.Values;
import dev.hora.config.ApplyMode;
import java.util.List;
import java.util.Map;

/**
 * Which adapter updates a {@link Backbone} pass applies to which rows of the batch: contiguous row
 * ranges, each with the factors (or dW) of one adapter at its sites, or none (the base model):
 * <pre>
 *   rows [from_k, to_k) of the batch  ->  F_k = {site -> (a [G, d_in, r], s b [G, r, d_g]) or dW}
 *   frozen GEMMs once for all B rows;  y[rows_k] += x[rows_k] a_g b_g  for each segment k and site
 * </pre>
 * A single segment covering the whole batch ({@link #all}) may use either apply mode and may train;
 * several segments (a mixed-adapter batch) apply factorised updates only and run inference only.
 */
public record AdapterRows(List<Segment> segments) {
    /** No adapter anywhere: the base model. */
    public static final AdapterRows NONE = new AdapterRows(List.of());

    /** Rows {@code [from, to)} with the updates {@code factors} (empty = the base model's rows). */
    public record Segment(int from, int to, Map<Key, Values> factors) {
        public Segment {
            if (from < 0 || to < from) {
                throw new IllegalArgumentException("segment rows [" + from + ", " + to + ") are not a range");
            }
            factors = Map.copyOf(factors);
        }
    }

    public AdapterRows {
        segments = List.copyOf(segments);
        for (int i = 1; i < segments.size(); i++) {
            if (segments.get(i).from() < segments.get(i - 1).to()) {
                throw new IllegalArgumentException("segments overlap or are out of order: " + segments.get(i - 1)
                        + ", " + segments.get(i));
            }
        }
        if (segments.size() > 1) {
            for (Segment s : segments) {
                s.factors().forEach((k, v) -> {
                    if (v.mode() != ApplyMode.FACTORISED) {
                        throw new IllegalArgumentException("site " + k + ": a mixed-adapter batch applies factorised"
                                + " updates only, got " + v.mode());
                    }
                });
            }
        }
    }

    /** One adapter's updates on every row (the training and single-adapter case). */
    public static AdapterRows all(Map<Key, FactorSource.Values> factors) {
        return new AdapterRows(List.of(new Segment(0, Integer.MAX_VALUE, factors)));
    }

    /** The updates of a single segment that covers the batch, or null when the batch is mixed. */
    Map<Key, Values> whole(int batch) {
        if (segments.isEmpty()) {
            return Map.of();
        }
        Segment s = segments.get(0);
        return segments.size() == 1 && s.from() == 0 && s.to() >= batch ? s.factors() : null;
    }
}
