package dev.hora.layers.util;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Builds a copy of a network in which some layers are replaced, carrying every parameter over:
 * <pre>
 *   net --clone config, swap layer confs--> net' --init--> params' = old params (kept layers)
 *                                                                    replacement params (swapped layers)
 * </pre>
 * The input network is never modified. Updater state is not carried over (a rewritten network starts a
 * new training run).
 */
public final class NetworkRewriter {
    private NetworkRewriter() {
    }

    /** A replacement layer configuration and the values of (some of) its parameters, by name. */
    public record Replacement(Layer conf, Map<String, INDArray> params) {
    }

    /** Decides per layer; returns null to keep the layer as it is. */
    @FunctionalInterface
    public interface LayerMapper {
        /**
         * @param key    the layer index ("0", "1", ...) of a MultiLayerNetwork or the vertex name of a graph
         * @param conf   the layer's configuration
         * @param params the layer's current parameters, by name (views: do not modify)
         */
        Replacement map(String key, Layer conf, Map<String, INDArray> params);
    }

    public static MultiLayerNetwork rewrite(MultiLayerNetwork net, LayerMapper mapper) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
        Map<Integer, Replacement> swapped = new HashMap<>();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            NeuralNetConfiguration c = conf.getConf(i);
            Replacement r = mapper.map(String.valueOf(i), c.getLayer(), net.getLayer(i).paramTable());
            if (r != null) {
                swap(c, r);
                swapped.put(i, r);
            }
        }
        MultiLayerNetwork out = new MultiLayerNetwork(conf);
        out.init();
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Replacement r = swapped.get(i);
            copy(r == null ? net.getLayer(i).paramTable() : r.params(), out.getLayer(i).paramTable());
        }
        return out;
    }

    public static ComputationGraph rewrite(ComputationGraph net, LayerMapper mapper) {
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        Map<String, Replacement> swapped = new HashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex lv) {
                NeuralNetConfiguration c = lv.getLayerConf();
                Replacement r = mapper.map(e.getKey(), c.getLayer(), net.getLayer(e.getKey()).paramTable());
                if (r != null) {
                    swap(c, r);
                    swapped.put(e.getKey(), r);
                }
            }
        }
        ComputationGraph out = new ComputationGraph(conf);
        out.init();
        for (org.deeplearning4j.nn.api.Layer l : out.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            Replacement r = swapped.get(name);
            copy(r == null ? net.getLayer(name).paramTable() : r.params(), l.paramTable());
        }
        return out;
    }

    private static void swap(NeuralNetConfiguration c, Replacement r) {
        r.conf().setLayerName(c.getLayer().getLayerName());
        c.setLayer(r.conf());
        c.clearVariables();
    }

    private static void copy(Map<String, INDArray> from, Map<String, INDArray> to) {
        from.forEach((n, v) -> {
            INDArray dst = to.get(n);
            if (dst == null) {
                throw new IllegalArgumentException("parameter " + n + " does not exist in the rewritten layer: "
                        + "allowed " + to.keySet());
            }
            dst.assign(v.reshape(dst.shape()));
        });
    }
}
