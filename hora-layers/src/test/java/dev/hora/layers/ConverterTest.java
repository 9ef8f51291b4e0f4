package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterKind;
import dev.hora.layers.convert.HoraConverter;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/** A converted network gives DL4J's SelfAttentionLayer outputs (with and without masks). */
class ConverterTest {

    @Test
    void multiLayerNetworkOutputsEqual() {
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            double tol = dt == DataType.FLOAT ? 1e-5 : 1e-12;
            MultiLayerNetwork dl4j = TestNets.mln(dt, new Adam(1e-3), TestNets.dl4jAttention(), null);
            for (AdapterKind kind : AdapterKind.values()) {
                MultiLayerNetwork hora = HoraConverter.convert(dl4j, TestNets.adapter(kind));
                assertInstanceOf(HoraSelfAttention.class, hora.getLayer(0).conf().getLayer());
                INDArray x = TestNets.input(dt, 4, 1);
                INDArray m = TestNets.mask(dt, 4);
                assertClose(dl4j.output(x), hora.output(x), tol);
                assertClose(dl4j.output(x, false, m, null), hora.output(x, false, m, null), tol);
                // the masked and unmasked outputs differ, so the mask is really applied
                assertTrue(hora.output(x).sub(hora.output(x, false, m, null)).amaxNumber().doubleValue() > 1e-4);
            }
        }
    }

    @Test
    void computationGraphOutputsEqual() {
        ComputationGraph dl4j = TestNets.graph(DataType.FLOAT, new Adam(1e-3), TestNets.dl4jAttention(), null);
        ComputationGraph hora = HoraConverter.convert(dl4j, TestNets.adapter(AdapterKind.HORA));
        assertInstanceOf(HoraSelfAttention.class, hora.getLayer("att").conf().getLayer());
        INDArray x = TestNets.input(DataType.FLOAT, 3, 2);
        INDArray m = TestNets.mask(DataType.FLOAT, 3);
        assertClose(dl4j.outputSingle(x), hora.outputSingle(x), 1e-5);
        assertClose(dl4j.output(false, new INDArray[]{x}, new INDArray[]{m})[0],
                hora.output(false, new INDArray[]{x}, new INDArray[]{m})[0], 1e-5);
    }

    static void assertClose(INDArray a, INDArray b, double tol) {
        double d = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(d <= tol, "max |a - b| = " + d + " > " + tol);
    }
}
