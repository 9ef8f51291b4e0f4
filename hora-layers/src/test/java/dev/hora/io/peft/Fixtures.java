package dev.hora.io.peft;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.Adapters;
import dev.hora.adapter.Inits;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test fixtures: a tiny BERT layer (d = 8, d_ff = 16, 2 heads) with random non-zero adapter parameters. */
final class Fixtures {
    static final int D = 8;
    static final int FF = 16;
    static final int HEADS = 2;
    static final int CLASSES = 3;

    private Fixtures() {
    }

    /** The adapter over the config's targets of a BERT layer: Q, K, V, O [d, d], FFN_IN [d, d_ff], FFN_OUT [d_ff, d]. */
    static Adapter adapter(AdapterConfig cfg) {
        Map<Target, ProjectionShape> m = new EnumMap<>(Target.class);
        for (Target t : cfg.validate().getTargets()) {
            m.put(t, new ProjectionShape(t == Target.FFN_OUT ? FF : D, t == Target.FFN_IN ? FF : D, HEADS));
        }
        return Adapters.create(cfg, m);
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

    static SavedClassifier classifier(String pooling) {
        return new SavedClassifier(Inits.uniform(new SplittableRandom(5), 1.0, DataType.FLOAT, D, CLASSES),
                Inits.uniform(new SplittableRandom(6), 1.0, DataType.FLOAT, 1, CLASSES), pooling,
                java.util.List.of("neg", "neu", "pos"), 64);
    }
}
