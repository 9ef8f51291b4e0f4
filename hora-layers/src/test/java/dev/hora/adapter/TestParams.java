package dev.hora.adapter;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helpers: random non-zero parameter values and SameDiff variables for them. */
final class TestParams {
    private TestParams() {
    }

    /** Every parameter filled with U(-1, 1) (so B and W2B are not zero, unlike at init). */
    static LinkedHashMap<String, INDArray> random(Adapter a, long seed) {
        LinkedHashMap<String, INDArray> m = new LinkedHashMap<>();
        a.paramShapes().forEach((n, s) -> m.put(n, Inits.uniform(new SplittableRandom(seed ^ n.hashCode()),
                1.0, DataType.DOUBLE, s)));
        return m;
    }

    static Map<String, SDVariable> vars(SameDiff sd, Map<String, INDArray> params) {
        Map<String, SDVariable> m = new LinkedHashMap<>();
        params.forEach((n, v) -> m.put(n, sd.var(n, v.dup())));
        return m;
    }
}
