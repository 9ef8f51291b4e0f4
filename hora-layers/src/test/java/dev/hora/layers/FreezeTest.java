package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.layers.merge.HoraMerge;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** dW = 0 at init; the base stays bit-identical under Adam + weight decay while every adapter tensor moves. */
class FreezeTest {

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void adaptedOutputEqualsBaseOutputAtInit(AdapterKind kind) {
        for (ApplyMode mode : ApplyMode.values()) {
            AdapterConfig a = TestNets.adapter(kind).toBuilder().applyMode(mode).build();
            MultiLayerNetwork net = TestNets.mln(DataType.FLOAT, new Adam(1e-3), TestNets.horaAttention(a),
                    TestNets.dense(a));
            MultiLayerNetwork base = HoraMerge.merge(net);   // same base weights, no adapter
            assertEquals(net.numParams() - adapterParams(net), base.numParams());
            INDArray x = TestNets.input(DataType.FLOAT, 4, 11);
            INDArray m = TestNets.mask(DataType.FLOAT, 4);
            assertArrayEquals(base.output(x, false, m, null).data().asFloat(),
                    net.output(x, false, m, null).data().asFloat(), 0f, kind + " " + mode);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"LORA", "MH_LORA", "HORA"})
    void baseBitIdenticalAfterTrainingAdapterChanged(String kindName) {
        AdapterKind kind = AdapterKind.valueOf(kindName);
        MultiLayerNetwork net = regularisedNet(TestNets.adapter(kind), true);
        Map<String, INDArray> before = snapshot(net);
        DataSet ds = new DataSet(TestNets.input(DataType.FLOAT, 8, 3), TestNets.labels(DataType.FLOAT, 8),
                TestNets.mask(DataType.FLOAT, 8), null);
        for (int i = 0; i < 5; i++) {
            net.fit(ds);
        }
        int frozen = 0;
        int trained = 0;
        for (Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                for (Map.Entry<String, INDArray> e : l.paramTable().entrySet()) {
                    String key = l.getIndex() + "_" + e.getKey();
                    float[] was = before.get(key).data().asFloat();
                    float[] now = e.getValue().dup().data().asFloat();
                    if (al.baseParamNames().contains(e.getKey())) {
                        assertArrayEquals(was, now, 0f, kind + ": frozen " + key + " changed");
                        frozen++;
                    } else {
                        assertTrue(maxDiff(was, now) > 0, kind + ": adapter tensor " + key + " did not change");
                        trained++;
                    }
                }
            }
        }
        assertEquals(8 + 2, frozen);   // attention Wq..Wo, bq..bo; dense W, b
        assertTrue(trained >= 4);
    }

    /** Control: with freezeBase = false the same training moves the base, so the test above can fail. */
    @ParameterizedTest
    @EnumSource(value = AdapterKind.class, names = "LORA")
    void unfrozenBaseMoves(AdapterKind kind) {
        MultiLayerNetwork net = regularisedNet(TestNets.adapter(kind), false);
        INDArray wq = net.getLayer(0).getParam("Wq").dup();
        net.fit(new DataSet(TestNets.input(DataType.FLOAT, 8, 3), TestNets.labels(DataType.FLOAT, 8)));
        assertTrue(maxDiff(wq.data().asFloat(), net.getLayer(0).getParam("Wq").dup().data().asFloat()) > 0);
    }

    /** attention -> pool -> dense -> output with Adam and weight decay (applied after the updater). */
    private static MultiLayerNetwork regularisedNet(AdapterConfig a, boolean freeze) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.FLOAT).updater(new Adam(1e-2)).weightDecay(0.1).list()
                .layer(HoraSelfAttention.builder().nIn(TestNets.N_IN).nOut(TestNets.D).nHeads(TestNets.HEADS)
                        .adapter(a).freezeBase(freeze).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(AdaptedDense.builder().nOut(TestNets.D).heads(TestNets.HEADS).activation(Activation.TANH)
                        .adapter(a).freezeBase(freeze).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(TestNets.CLASSES).build())
                .setInputType(InputType.recurrent(TestNets.N_IN, TestNets.T)).build());
        net.init();
        return net;
    }

    private static long adapterParams(MultiLayerNetwork net) {
        long n = 0;
        for (Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al && al.getAdapter() != null) {
                n += al.createAdapter().numParams();
            }
        }
        return n;
    }

    private static Map<String, INDArray> snapshot(MultiLayerNetwork net) {
        Map<String, INDArray> m = new HashMap<>();
        net.paramTable().forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }

    static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
