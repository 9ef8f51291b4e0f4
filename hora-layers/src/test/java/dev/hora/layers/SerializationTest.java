package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/** JSON configuration and ModelSerializer round trips; training continues after restore. */
class SerializationTest {

    /** A non-default config so that dropped fields would show. */
    private static AdapterConfig adapter(AdapterKind kind) {
        return AdapterConfig.builder().kind(kind).rank(3).alpha(5).rsLora(true).targets(Target.K, Target.O)
                .seedWidth(2).hiddenWidth(5).activation(dev.hora.config.Activation.GELU).perHeadOutput(true)
                .seed(3).applyMode(ApplyMode.FACTORISED).build();
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void jsonRoundTrip(AdapterKind kind) {
        AdapterConfig a = adapter(kind);
        MultiLayerNetwork net = TestNets.mln(DataType.FLOAT, new Adam(1e-3), TestNets.horaAttention(a),
                TestNets.dense(a));
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        String json = conf.toJson();
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(json);
        assertEquals(conf, back);
        HoraSelfAttention att = (HoraSelfAttention) back.getConf(0).getLayer();
        assertEquals(a, att.getAdapter());
        assertEquals(TestNets.HEADS, att.getNHeads());
        AdaptedDense dense = (AdaptedDense) back.getConf(2).getLayer();
        assertEquals(org.nd4j.linalg.activations.Activation.TANH, dense.getActivation());
        assertEquals(a.toBuilder().targets(Target.FFN_IN).build(), dense.getAdapter());
        assertEquals(json, back.toJson());

        ComputationGraphConfiguration g = TestNets.graph(DataType.FLOAT, new Adam(1e-3), TestNets.horaAttention(a),
                TestNets.dense(a)).getConfiguration();
        assertEquals(g, ComputationGraphConfiguration.fromJson(g.toJson()));
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void modelSerializerRoundTripAndTrainingContinues(AdapterKind kind, @TempDir Path dir) throws Exception {
        AdapterConfig a = TestNets.adapter(kind);
        MultiLayerNetwork net = TestNets.mln(DataType.FLOAT, new Adam(1e-2), TestNets.horaAttention(a),
                TestNets.dense(a));
        Map<String, INDArray> base0 = baseSnapshot(net);
        DataSet ds = new DataSet(TestNets.input(DataType.FLOAT, 6, 8), TestNets.labels(DataType.FLOAT, 6),
                TestNets.mask(DataType.FLOAT, 6), null);
        for (int i = 0; i < 3; i++) {
            net.fit(ds);
        }
        File f = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork back = ModelSerializer.restoreMultiLayerNetwork(f, true);

        assertEquals(net.getLayerWiseConfigurations(), back.getLayerWiseConfigurations());
        assertArrayEquals(net.params().data().asFloat(), back.params().data().asFloat(), 0f);
        assertNotNull(back.getUpdater().getStateViewArray());
        assertArrayEquals(net.getUpdater().getStateViewArray().data().asFloat(),
                back.getUpdater().getStateViewArray().data().asFloat(), 0f);
        INDArray x = ds.getFeatures();
        assertArrayEquals(net.output(x, false, ds.getFeaturesMaskArray(), null).data().asFloat(),
                back.output(x, false, ds.getFeaturesMaskArray(), null).data().asFloat(), 0f);

        for (int i = 0; i < 3; i++) {
            net.fit(ds);
            back.fit(ds);
        }
        assertArrayEquals(net.params().data().asFloat(), back.params().data().asFloat(), 1e-6f);
        Map<String, INDArray> base1 = baseSnapshot(back);
        base0.forEach((k, v) -> assertArrayEquals(v.data().asFloat(), base1.get(k).data().asFloat(), 0f, k));
    }

    @Test
    void computationGraphModelSerializer(@TempDir Path dir) throws Exception {
        AdapterConfig a = TestNets.adapter(AdapterKind.HORA);
        ComputationGraph net = TestNets.graph(DataType.FLOAT, new Adam(1e-2), TestNets.horaAttention(a),
                TestNets.dense(a));
        DataSet ds = new DataSet(TestNets.input(DataType.FLOAT, 4, 9), TestNets.labels(DataType.FLOAT, 4));
        net.fit(ds);
        File f = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(net, f, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(f, true);
        assertInstanceOf(HoraSelfAttention.class, back.getLayer("att").conf().getLayer());
        assertArrayEquals(net.params().data().asFloat(), back.params().data().asFloat(), 0f);
        assertArrayEquals(net.getUpdater().getStateViewArray().data().asFloat(),
                back.getUpdater().getStateViewArray().data().asFloat(), 0f);
        assertArrayEquals(net.outputSingle(ds.getFeatures()).data().asFloat(),
                back.outputSingle(ds.getFeatures()).data().asFloat(), 0f);
        net.fit(ds);
        back.fit(ds);
        assertArrayEquals(net.params().data().asFloat(), back.params().data().asFloat(), 1e-6f);
        assertTrue(back.getLayer("att").getParam("Wq").equalsWithEps(net.getLayer("att").getParam("Wq"), 0));
    }

    private static Map<String, INDArray> baseSnapshot(MultiLayerNetwork net) {
        Map<String, INDArray> m = new java.util.HashMap<>();
        for (Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                al.baseParamNames().forEach(n -> m.put(l.getIndex() + "_" + n, l.getParam(n).dup()));
            }
        }
        return m;
    }
}
