package dev.hora.peft;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Trainable against total parameters, like PEFT's {@code print_trainable_parameters}:
 * <pre>
 *   trainable params: 95,714 || all params: 22,808,930 || trainable%: 0.4196
 *     hora: 94,944   classifier: 770
 * </pre>
 *
 * @param trainable  trainable scalars (adapters + classifier head)
 * @param total      all scalars (pretrained, frozen + trainable)
 * @param byGroup    trainable scalars per adapter kind and for the classifier, in insertion order
 */
public record ParameterSummary(long trainable, long total, Map<String, Long> byGroup) {

    public ParameterSummary {
        byGroup = Collections.unmodifiableMap(new LinkedHashMap<>(byGroup));
    }

    /** 100 trainable / total. */
    public double trainablePercent() {
        return total == 0 ? 0 : 100.0 * trainable / total;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "trainable params: %,d || all params: %,d || trainable%%: %.4f", trainable, total, trainablePercent()));
        byGroup.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%n  %s: %,d", k, v)));
        return sb.toString();
    }
}
