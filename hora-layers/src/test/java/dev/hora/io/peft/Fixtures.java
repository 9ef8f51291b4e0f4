package dev.hora.io.peft;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.Adapters;
import dev.hora.adapter.Inits;
import dev.hora.config.AdapterConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test fixtures: a tiny attention (d = 8, 2 heads) with random non-zero adapter parameters. */
final class Fixtures {
    static final int D = 8;
    static final int HEADS = 2;
    static final int CLASSES = 3;

    private Fixtures() {
    }

    static Adapter adapter(AdapterConfig cfg) {
        return Adapters.forAttention(cfg, D, HEADS);
    }

    /** Layer i -> every parameter U(-1, 1), so B and W2B are not zero as at init. */
    static Map<Integer, Map<String, INDArray>> layers(Adapter a, int... indices) {
        Map<Integer, Map<String, INDArray>> m = new TreeMap<>();
        for (int i : indices) {
            Map<String, INDArray> p = new LinkedHashMap<>();
            a.paramShapes().forEach((n, s) -> p.put(n, Inits.uniform(new SplittableRandom(31L * i + n.hashCode()),
                    1.0, DataType.FLOAT, s)));
            m.put(i, p);
        }
        return m;
    }

    static Map<String, INDArray> loraHead() {
        Map<String, INDArray> h = new LinkedHashMap<>();
        h.put("weight", Inits.uniform(new SplittableRandom(5), 1.0, DataType.FLOAT, D, CLASSES));
        h.put("bias", Inits.uniform(new SplittableRandom(6), 1.0, DataType.FLOAT, 1, CLASSES));
        return h;
    }

    static Map<String, INDArray> ownHead() {
        Map<String, INDArray> h = new LinkedHashMap<>(loraHead());
        h.put("extraScale", Nd4j.createFromArray(2.5f));
        return h;
    }
}
