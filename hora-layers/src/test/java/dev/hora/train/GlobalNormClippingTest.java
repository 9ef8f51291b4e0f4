package dev.hora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The global norm against ND4J's own norm2 (float, double, views, 'f' order) and clipping's scaling. */
class GlobalNormClippingTest {
    @Test
    void normMatchesNd4jOnEveryLayout() {
        INDArray f = Nd4j.rand(DataType.FLOAT, 37, 11).subi(0.5);
        INDArray d = Nd4j.rand(DataType.DOUBLE, 5, 7).subi(0.5);
        INDArray view = Nd4j.rand(DataType.FLOAT, 20, 30).get(NDArrayIndex.interval(3, 9), NDArrayIndex.interval(4, 17));
        INDArray fOrder = Nd4j.rand(DataType.FLOAT, 'f', 9, 13);
        List<INDArray> all = List.of(f, d, view, fOrder);
        double expect = 0;
        for (INDArray g : all) {
            double n = g.norm2Number().doubleValue();
            expect += n * n;
        }
        assertEquals(Math.sqrt(expect), GlobalNormClipping.globalNorm(all), 1e-6 * Math.sqrt(expect), "ND4J sums float arrays in float");
    }

    @Test
    void clipsOnlyAboveTheCap() {
        INDArray g = Nd4j.createFromArray(3f, 4f);                       // norm 5
        assertEquals(5.0, GlobalNormClipping.clip(List.of(g), 10), 1e-6);
        assertTrue(g.equalsWithEps(Nd4j.createFromArray(3f, 4f), 0), "below the cap: unchanged");
        assertEquals(5.0, GlobalNormClipping.clip(List.of(g), 1), 1e-6);
        assertEquals(1.0, g.norm2Number().doubleValue(), 1e-5);
        assertEquals(0.6, g.getDouble(0), 1e-5);
    }
}
