package dev.hora.adapter;

import dev.hora.config.ApplyMode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What every {@link FactorSource} keeps: the projections' resolved modes (filled by the subclass, in
 * layer then target order) and the caller's live parameter arrays (shared, not copied) named by
 * {@code naming(layer, param)}.
 */
abstract class AbstractFactorSource implements FactorSource {
    protected final Map<Key, ApplyMode> modes = new LinkedHashMap<>();
    protected final Map<String, INDArray> params = new LinkedHashMap<>();

    protected AbstractFactorSource(Map<Integer, Map<String, INDArray>> liveParams, Iterable<Integer> layers,
                                   BiFunction<Integer, String, String> naming) {
        for (int layer : layers) {
            liveParams.get(layer).forEach((p, arr) -> params.put(naming.apply(layer, p), arr));
        }
    }

    @Override
    public Map<Key, ApplyMode> modes() {
        return Collections.unmodifiableMap(modes);
    }

    @Override
    public Map<String, INDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }
}
