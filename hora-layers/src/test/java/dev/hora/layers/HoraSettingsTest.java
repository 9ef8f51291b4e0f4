package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * HoRA's learnableSeeds = false and generatorLrMultiplier act in the DL4J layers as in the Trainer:
 * fixed seeds keep their draw, the generator's step is m times the plain one.
 */
class HoraSettingsTest {

    @Test
    void fixedSeedsStayBitIdenticalWhileTheGeneratorTrains() {
        AdapterConfig a = TestNets.adapter(AdapterKind.HORA).toBuilder().learnableSeeds(false).build();
        MultiLayerNetwork net = net(a, new Adam(1e-2), DataType.FLOAT);
        Map<String, INDArray> before = snapshot(net);
        for (int i = 0; i < 4; i++) {
            net.fit(data(DataType.FLOAT));
        }
        int seeds = 0;
        int generator = 0;
        for (Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                for (String n : al.createAdapter().paramShapes().keySet()) {
                    float[] was = before.get(l.getIndex() + "_" + n).data().asFloat();
                    float[] now = l.getParam(n).dup().data().asFloat();
                    if (isSeed(n)) {
                        assertArrayEquals(was, now, 0f, "fixed seed " + l.getIndex() + "_" + n + " changed");
                        seeds++;
                    } else {
                        assertTrue(FreezeTest.maxDiff(was, now) > 0, "generator " + l.getIndex() + "_" + n + " did not move");
                        generator++;
                    }
                }
            }
        }
        assertEquals(3 + 1, seeds);             // attention qZ, vZ, oZ; dense: one target
        assertEquals(2 + 4 * 3 + 2 + 4, generator);
    }

    /** Control for the test above: with learnable seeds the same training moves them. */
    @Test
    void learnableSeedsMove() {
        MultiLayerNetwork net = net(TestNets.adapter(AdapterKind.HORA), new Adam(1e-2), DataType.FLOAT);
        randomiseAdapter(net);   // at init dW = 0 puts no gradient on the seeds
        INDArray z = net.getLayer(0).getParam("qZ").dup();
        net.fit(data(DataType.FLOAT));
        assertTrue(FreezeTest.maxDiff(z.data().asFloat(), net.getLayer(0).getParam("qZ").dup().data().asFloat()) > 0);
    }

    @Test
    void generatorStepIsScaledByTheMultiplier() {
        double m = 3.0;
        AdapterConfig plainCfg = TestNets.adapter(AdapterKind.HORA);
        MultiLayerNetwork plain = net(plainCfg, new Sgd(0.05), DataType.DOUBLE);
        MultiLayerNetwork scaled = net(plainCfg.toBuilder().generatorLrMultiplier(m).build(), new Sgd(0.05),
                DataType.DOUBLE);
        randomiseAdapter(plain);
        scaled.setParams(plain.params().dup());
        Map<String, INDArray> before = snapshot(plain);
        plain.fit(data(DataType.DOUBLE));
        scaled.fit(data(DataType.DOUBLE));
        int checked = 0;
        for (Layer l : plain.getLayers()) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                Layer s = scaled.getLayer(l.getIndex());
                for (String n : al.createAdapter().paramShapes().keySet()) {
                    INDArray w0 = before.get(l.getIndex() + "_" + n);
                    double[] dPlain = w0.sub(l.getParam(n)).data().asDouble();
                    double[] dScaled = w0.sub(s.getParam(n)).data().asDouble();
                    double factor = isSeed(n) ? 1.0 : m;
                    double biggest = 0;
                    for (int i = 0; i < dPlain.length; i++) {
                        assertEquals(factor * dPlain[i], dScaled[i], 1e-12 + 1e-9 * Math.abs(dScaled[i]),
                                l.getIndex() + "_" + n + "[" + i + "]");
                        biggest = Math.max(biggest, Math.abs(dPlain[i]));
                    }
                    assertTrue(biggest > 1e-8, l.getIndex() + "_" + n + " did not move");
                    checked++;
                }
            }
        }
        assertEquals(3 + 2 + 4 * 3 + 1 + 2 + 4, checked);
    }

    @Test
    void multiplierFollowsTheLayersSchedule() {
        MapSchedule schedule = new MapSchedule.Builder(ScheduleType.ITERATION).add(0, 0.1).add(5, 0.01).build();
        AbstractAdaptedLayer layer = HoraSelfAttention.builder().nIn(TestNets.N_IN).nOut(TestNets.D)
                .nHeads(TestNets.HEADS).updater(new Adam(schedule))
                .adapter(TestNets.adapter(AdapterKind.HORA).toBuilder().generatorLrMultiplier(0.5).learnableSeeds(false)
                        .build())
                .build();
        IUpdater gen = layer.getUpdaterByParam("W1");
        assertEquals(0.05, gen.getLearningRate(0, 0), 1e-15);
        assertEquals(0.005, gen.getLearningRate(7, 0), 1e-15);
        assertEquals(AbstractAdaptedLayer.FROZEN, layer.getUpdaterByParam("qZ"));
        assertTrue(layer.getRegularizationByParam("qZ").isEmpty());
        assertEquals(AbstractAdaptedLayer.FROZEN, layer.getUpdaterByParam("bq"));
    }

    @Test
    void multiplierWithoutALearningRateIsRejected() {
        AdapterConfig a = TestNets.adapter(AdapterKind.HORA).toBuilder().generatorLrMultiplier(2.0).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            MultiLayerNetwork net = net(a, new NoOp(), DataType.FLOAT);
            net.fit(data(DataType.FLOAT));
        });
        assertTrue(e.getMessage().contains("generatorLrMultiplier"), e.getMessage());
        // the default multiplier of 1 trains with any updater
        net(TestNets.adapter(AdapterKind.HORA), new NoOp(), DataType.FLOAT).fit(data(DataType.FLOAT));
    }

    private static boolean isSeed(String name) {
        return name.endsWith("Z") || name.endsWith("Zs");
    }

    /** attention -> pool -> dense -> output, weight decay on. */
    private static MultiLayerNetwork net(AdapterConfig a, IUpdater u, DataType dt) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(dt).updater(u).weightDecay(0.1).list()
                .layer(HoraSelfAttention.builder().nIn(TestNets.N_IN).nOut(TestNets.D).nHeads(TestNets.HEADS)
                        .adapter(a).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(AdaptedDense.builder().nOut(TestNets.D).heads(TestNets.HEADS).activation(Activation.TANH)
                        .adapter(a).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(TestNets.CLASSES).build())
                .setInputType(InputType.recurrent(TestNets.N_IN, TestNets.T)).build());
        net.init();
        return net;
    }

    private static DataSet data(DataType dt) {
        return new DataSet(TestNets.input(dt, 8, 3), TestNets.labels(dt, 8), TestNets.mask(dt, 8), null);
    }

    /** Every adapter tensor to small random values, so that every one of them gets a gradient. */
    private static void randomiseAdapter(MultiLayerNetwork net) {
        Nd4j.getRandom().setSeed(99);
        for (Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                for (String n : al.createAdapter().paramShapes().keySet()) {
                    INDArray p = l.getParam(n);
                    p.assign(Nd4j.randn(DataType.DOUBLE, p.shape()).muli(0.3).castTo(p.dataType()));
                }
            }
        }
    }

    private static Map<String, INDArray> snapshot(MultiLayerNetwork net) {
        Map<String, INDArray> m = new HashMap<>();
        net.paramTable().forEach((k, v) -> m.put(k, v.dup()));
        return m;
    }
}
