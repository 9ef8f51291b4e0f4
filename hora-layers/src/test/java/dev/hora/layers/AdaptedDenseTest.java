package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.Adapters;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** AdaptedDense on recurrent input against plain Java loops: y[b,o,t] = tanh(sum_i x[b,i,t] (W+dW)[i,o] + b[o]). */
class AdaptedDenseTest {

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void recurrentInputMatchesLoops(AdapterKind kind) {
        int nIn = 6;
        int nOut = 8;
        int t = 4;
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1)
                .dataType(DataType.DOUBLE).updater(new Adam(1e-3)).list()
                .layer(AdaptedDense.builder().nOut(nOut).heads(2).activation(Activation.TANH)
                        .adapter(TestNets.adapter(kind)).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(2).build())
                .setInputType(InputType.recurrent(nIn, t)).build());
        net.init();
        GradientCheckTest.randomise(net);
        AdaptedDense conf = (AdaptedDense) net.getLayer(0).conf().getLayer();
        assertEquals(Target.FFN_IN, conf.getTarget());
        Adapter a = conf.createAdapter();
        Map<String, INDArray> p = net.getLayer(0).paramTable();
        Map<String, INDArray> ap = new LinkedHashMap<>();
        a.paramShapes().keySet().forEach(n -> ap.put(n, p.get(n)));
        INDArray w = p.get("W").add(Adapters.deltaW(a, ap, Target.FFN_IN));   // [nIn, nOut]
        INDArray b = p.get("b");

        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, nIn, t);
        INDArray y = net.feedForward(x, false).get(1);                     // [3, nOut, t]
        double[] expected = new double[3 * nOut * t];
        int k = 0;
        for (int n = 0; n < 3; n++) {
            for (int o = 0; o < nOut; o++) {
                for (int s = 0; s < t; s++) {
                    double z = b.getDouble(0, o);
                    for (int i = 0; i < nIn; i++) {
                        z += x.getDouble(n, i, s) * w.getDouble(i, o);
                    }
                    expected[k++] = Math.tanh(z);
                }
            }
        }
        assertArrayEquals(new long[]{3, nOut, t}, y.shape());
        assertArrayEquals(expected, y.dup('c').data().asDouble(), 1e-12);
    }
}
