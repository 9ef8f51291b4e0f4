package dev.hora.layers.merge;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.Adapters;
import dev.hora.config.Target;
import dev.hora.layers.AbstractAdaptedLayer;
import dev.hora.layers.util.NetworkRewriter;
import dev.hora.layers.util.NetworkRewriter.LayerMapper;
import dev.hora.layers.util.NetworkRewriter.Replacement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Folds adapters into the frozen weights, and back.
 * <pre>
 *   merge:    W_t' = W_t + dW_t   (t adapted)      layer -> the same layer type with adapter = null
 *   unmerge:  W_t  = W_t' - dW_t  (dW_t from the adapted network's adapter parameters)
 * </pre>
 * A merged layer is a plain {@code HoraSelfAttention} / {@code AdaptedDense} without adapter: no adapter
 * parameters, no extra ops, the same outputs (float rounding aside). Merging a merged network changes
 * nothing (idempotent). Neither method modifies its input, so keeping the adapted network keeps the base
 * weights exactly; {@link #unmerge} is for when only the merged network and the adapter are at hand and
 * is exact up to one rounding of {@code W + dW}.
 */
public final class HoraMerge {
    private HoraMerge() {
    }

    public static MultiLayerNetwork merge(MultiLayerNetwork net) {
        return NetworkRewriter.rewrite(net, HoraMerge::mergeLayer);
    }

    public static ComputationGraph merge(ComputationGraph net) {
        return NetworkRewriter.rewrite(net, HoraMerge::mergeLayer);
    }

    /**
     * The adapted network back from a merged one.
     *
     * @param merged  output of {@link #merge} (or any network with the same layers, adapters removed)
     * @param adapted the network whose adapter configs and parameters were merged in
     */
    public static MultiLayerNetwork unmerge(MultiLayerNetwork merged, MultiLayerNetwork adapted) {
        return NetworkRewriter.rewrite(merged, unmerger(k -> adapted.getLayer(Integer.parseInt(k))));
    }

    public static ComputationGraph unmerge(ComputationGraph merged, ComputationGraph adapted) {
        return NetworkRewriter.rewrite(merged, unmerger(adapted::getLayer));
    }

    private static Replacement mergeLayer(String key, Layer conf, Map<String, INDArray> p) {
        if (!(conf instanceof AbstractAdaptedLayer al) || al.getAdapter() == null) {
            return null;
        }
        Adapter a = al.createAdapter();
        AbstractAdaptedLayer plain = al.clone();
        plain.setAdapter(null);
        Map<String, INDArray> out = baseParams(al, p);
        for (Target t : a.projections().keySet()) {
            String w = al.baseWeightName(t);
            out.put(w, p.get(w).add(Adapters.deltaW(a, adapterParams(a, p), t).castTo(p.get(w).dataType())));
        }
        return new Replacement(plain, out);
    }

    private static LayerMapper unmerger(java.util.function.Function<String, org.deeplearning4j.nn.api.Layer> src) {
        return (key, conf, p) -> {
            org.deeplearning4j.nn.api.Layer l = src.apply(key);
            if (l == null || !(l.conf().getLayer() instanceof AbstractAdaptedLayer al) || al.getAdapter() == null) {
                return null;
            }
            if (!(conf instanceof AbstractAdaptedLayer m) || m.getAdapter() != null) {
                throw new IllegalArgumentException("layer " + key + ": unmerge needs a merged layer (no adapter)"
                        + " where the adapted network has " + al.getClass().getSimpleName() + " with an adapter");
            }
            Map<String, INDArray> ap = l.paramTable();
            Adapter a = al.createAdapter();
            Map<String, INDArray> out = new LinkedHashMap<>(baseParams(al, p));
            for (Target t : a.projections().keySet()) {
                String w = al.baseWeightName(t);
                out.put(w, p.get(w).sub(Adapters.deltaW(a, adapterParams(a, ap), t).castTo(p.get(w).dataType())));
            }
            out.putAll(adapterParams(a, ap));
            return new Replacement(al.clone(), out);
        };
    }

    /** The base (pretrained) parameters of the layer, copied. */
    private static Map<String, INDArray> baseParams(AbstractAdaptedLayer al, Map<String, INDArray> p) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String n : al.baseParamNames()) {
            out.put(n, p.get(n).dup());
        }
        return out;
    }

    private static Map<String, INDArray> adapterParams(Adapter a, Map<String, INDArray> p) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        a.paramShapes().keySet().forEach(n -> out.put(n, p.get(n)));
        return out;
    }
}
