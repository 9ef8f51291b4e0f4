package dev.hora.peft;

import dev.hora.adapter.Adapter;
import dev.hora.config.AdapterConfig;
import dev.hora.onnx.ImportedBert;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    /**
     * The count of a model: the encoder's pretrained tensors, each adapter's trainable and fixed
     * tensors (fixed: e.g. HoRA's non-learnable seeds), the head [d, n] + [n].
     */
    public static ParameterSummary of(ImportedBert bert, AdapterConfig config, Collection<Adapter> adapters,
                                      int numClasses) {
        long pretrained = bert.weights().values().stream().mapToLong(INDArray::length).sum();
        Map<String, Long> groups = new LinkedHashMap<>();
        long adapterCount = adapters.stream().mapToLong(Adapter::numTrainableParams).sum();
        if (config != null) {
            groups.put(config.getKind().cliName(), adapterCount);
        }
        long headCount = (long) (bert.config().hiddenSize() + 1) * numClasses;
        groups.put("classifier", headCount);
        long fixed = adapters.stream().mapToLong(a -> a.numParams() - a.numTrainableParams()).sum();
        return new ParameterSummary(adapterCount + headCount, pretrained + fixed + adapterCount + headCount, groups);
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
