package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.layers.merge.HoraMerge;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/** Merge equals the adapted model, is idempotent, leaves no adapter; unmerge restores the base. */
class MergeTest {

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void multiLayerNetwork(AdapterKind kind) {
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            double tol = dt == DataType.FLOAT ? 1e-5 : 1e-10;
            AdapterConfig a = TestNets.adapter(kind);
            MultiLayerNetwork net = TestNets.mln(dt, new Adam(1e-3), TestNets.horaAttention(a), TestNets.dense(a));
            GradientCheckTest.randomise(net);
            INDArray x = TestNets.input(dt, 4, 5);
            INDArray m = TestNets.mask(dt, 4);

            MultiLayerNetwork merged = HoraMerge.merge(net);
            assertNoAdapter(merged.getLayers());
            INDArray expected = net.output(x, false, m, null);
            ConverterTest.assertClose(expected, merged.output(x, false, m, null), tol);
            assertTrue(maxDiff(net.getLayer(0).getParam("Wq"), merged.getLayer(0).getParam("Wq")) > 1e-3,
                    "dW must be non-zero for this test to mean anything");

            MultiLayerNetwork twice = HoraMerge.merge(merged);
            assertEquals(merged.getLayerWiseConfigurations(), twice.getLayerWiseConfigurations());
            assertEquals(0.0, maxDiff(merged.params(), twice.params()));

            MultiLayerNetwork restored = HoraMerge.unmerge(merged, net);
            assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations());
            assertParamsClose(net, restored, tol);
            ConverterTest.assertClose(expected, restored.output(x, false, m, null), tol);
        }
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void computationGraph(AdapterKind kind) {
        AdapterConfig a = TestNets.adapter(kind);
        ComputationGraph net = TestNets.graph(DataType.FLOAT, new Adam(1e-3), TestNets.horaAttention(a),
                TestNets.dense(a));
        GradientCheckTest.randomise(net);
        INDArray x = TestNets.input(DataType.FLOAT, 3, 6);
        ComputationGraph merged = HoraMerge.merge(net);
        assertNoAdapter(merged.getLayers());
        ConverterTest.assertClose(net.outputSingle(x), merged.outputSingle(x), 1e-5);
        ComputationGraph twice = HoraMerge.merge(merged);
        assertEquals(0.0, maxDiff(merged.params(), twice.params()));
        ComputationGraph restored = HoraMerge.unmerge(merged, net);
        assertParamsClose(net, restored, 1e-5);
    }

    private static void assertNoAdapter(Layer[] layers) {
        int adapted = 0;
        for (Layer l : layers) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                assertNull(al.getAdapter());
                assertEquals(al.baseParamNames(), l.paramTable().keySet());
                adapted++;
            }
        }
        assertEquals(2, adapted);
    }

    /** Base params within tol (one rounding of W + dW), every other param exactly equal. */
    private static void assertParamsClose(Model a, Model b, double tol) {
        Map<String, INDArray> pa = a.paramTable();
        Map<String, INDArray> pb = b.paramTable();
        assertEquals(pa.keySet(), pb.keySet());
        pa.forEach((k, v) -> {
            double d = maxDiff(v, pb.get(k));
            boolean adaptedWeight = k.endsWith("_Wq") || k.endsWith("_Wv") || k.endsWith("_Wo") || k.endsWith("_W")
                    && !k.startsWith("out") && !k.startsWith(String.valueOf(pa.size()));
            assertTrue(adaptedWeight ? d <= tol : d == 0.0, k + ": max diff " + d);
        });
    }

    static double maxDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
