package dev.hora.dl4j;

import dev.hora.adapter.Adapter;
import dev.hora.config.AdapterConfig;
import dev.hora.onnx.ImportedBert;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.ModuleSelector;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a {@link PretrainedEncoder}'s adapter parameters sit: the same per-layer adapters as
 * {@code AdapterSet.create} plans on the encoder (the config's targets in every layer), their
 * trainable tensors in DL4J's flat parameter view in that order, the fixed ones (HoRA's seeds with
 * {@code learnableSeeds = false}) outside it:
 * <pre>
 *   view = [ adapter.layer.l.p  for l in layers, p in paramShapes(l) if trainable(p) ]     each 'f' order (DL4J's)
 *   fixed: initParams(FLOAT, l)[p]  for the others (deterministic in the config seed and l)
 * </pre>
 *
 * @param adapters   encoder layer -> its adapter
 * @param trainable  view key ({@link AdapterSet#varName}) -> shape, in view order
 */
record EncoderLayout(Map<Integer, Adapter> adapters, Map<String, long[]> trainable) {

    static EncoderLayout of(ImportedBert bert, AdapterConfig config) {
        Map<Integer, Adapter> plan = ModuleSelector.modules(config.getTargets()).plan(bert, config.copy().validate());
        Map<String, long[]> t = new LinkedHashMap<>();
        plan.forEach((l, a) -> a.paramShapes().forEach((p, shape) -> {
            if (a.trainable(p)) {
                t.put(AdapterSet.varName(l, p), shape);
            }
        }));
        return new EncoderLayout(Collections.unmodifiableMap(plan), Collections.unmodifiableMap(t));
    }

    /** Scalars in the parameter view. */
    long numParams() {
        long n = 0;
        for (long[] s : trainable.values()) {
            n += length(s);
        }
        return n;
    }

    /** The learning-rate multiplier of view key {@code key} (HoRA's generator: generatorLrMultiplier; else 1). */
    double lrMultiplier(String key) {
        for (Map.Entry<Integer, Adapter> e : adapters.entrySet()) {
            for (String p : e.getValue().paramShapes().keySet()) {
                if (AdapterSet.varName(e.getKey(), p).equals(key)) {
                    return e.getValue().lrMultiplier(p);
                }
            }
        }
        throw new IllegalArgumentException("no adapter parameter '" + key + "' in this encoder layer: " + trainable.keySet());
    }

    /** The initial values of every adapter tensor (trainable and fixed), per encoder layer, in {@code type}. */
    Map<Integer, Map<String, INDArray>> initialValues(DataType type) {
        Map<Integer, Map<String, INDArray>> m = new LinkedHashMap<>();
        adapters.forEach((l, a) -> {
            Map<String, INDArray> v = new LinkedHashMap<>();
            a.initParams(DataType.FLOAT, l).forEach((p, x) -> v.put(p, x.castTo(type).dup('c')));
            m.put(l, v);
        });
        return m;
    }

    static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
