package dev.hora.layers.convert;

import dev.hora.config.AdapterConfig;
import dev.hora.layers.HoraSelfAttention;
import dev.hora.layers.util.NetworkRewriter;
import dev.hora.layers.util.NetworkRewriter.Replacement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Replaces every DL4J {@code SelfAttentionLayer} (projectInput = true) of a network by a
 * {@link HoraSelfAttention} with the same weights, zero biases and the given adapter. The outputs are
 * equal before training (dW = 0 at init).
 * <pre>
 *   DL4J  Wq, Wk, Wv [H, hs, nIn]   ->  Wq, Wk, Wv [nIn, H hs]   (W[h, j, :] = column h hs + j)
 *   DL4J  Wo [H hs, nOut]           ->  Wo [H hs, nOut]
 *                                        bq, bk, bv [1, H hs] = 0,  bo [1, nOut] = 0
 * </pre>
 * Each converted layer keeps the old layer's name, input dropout, updater (used by the adapter
 * parameters), regularization and gradient normalization. The input network is not modified.
 */
public final class HoraConverter {
    private HoraConverter() {
    }

    public static MultiLayerNetwork convert(MultiLayerNetwork net, AdapterConfig adapter) {
        return NetworkRewriter.rewrite(net, (k, conf, params) -> map(k, conf, params, adapter));
    }

    public static ComputationGraph convert(ComputationGraph net, AdapterConfig adapter) {
        return NetworkRewriter.rewrite(net, (k, conf, params) -> map(k, conf, params, adapter));
    }

    private static Replacement map(String key, Layer conf, Map<String, INDArray> p, AdapterConfig adapter) {
        if (!(conf instanceof SelfAttentionLayer sa)) {
            return null;
        }
        if (!sa.isProjectInput()) {
            throw new IllegalArgumentException("layer " + key + " (" + conf.getLayerName() + "): SelfAttentionLayer"
                    + " with projectInput = false has no projections to adapt: allowed projectInput = true");
        }
        HoraSelfAttention.Builder b = HoraSelfAttention.builder().nIn(sa.getNIn()).nOut(sa.getNOut())
                .nHeads(sa.getNHeads()).headSize(sa.getHeadSize()).hasBias(true).adapter(adapter)
                .weightInit(sa.getWeightInit()).updater(sa.getUpdater()).biasUpdater(sa.getBiasUpdater());
        b.setRegularization(sa.getRegularization());
        b.setRegularizationBias(sa.getRegularizationBias());
        b.dropOut(sa.getIDropout());
        b.name(sa.getLayerName());
        HoraSelfAttention h = b.build();
        h.setGradientNormalization(sa.getGradientNormalization());
        h.setGradientNormalizationThreshold(sa.getGradientNormalizationThreshold());
        long inner = sa.getNHeads() * sa.getHeadSize();
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String t : new String[]{"q", "k", "v"}) {
            INDArray w = p.get("W" + t);                                          // [H, hs, nIn]
            out.put("W" + t, w.reshape('c', inner, sa.getNIn()).transpose().dup('c')); // [nIn, H hs]
        }
        out.put("Wo", p.get("Wo").dup('c'));                                      // [H hs, nOut]
        return new Replacement(h, out);   // biases and adapter params keep their init (0 / adapter init)
    }
}
