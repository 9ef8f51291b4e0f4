package dev.hora.io.peft;

import dev.hora.adapter.Adapters;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Recovers the projection shapes of a layer from its parameter tensors and checks the tensors
 * against {@link dev.hora.adapter.Adapter#paramShapes()}.
 * <pre>
 *   LORA     tA [d_in, r]          tB [r, d_out]            -> (d_in, d_out, heads 1)
 *   MH_LORA  tA [H, d_in, r]       tB [H, r, d_h]           -> (d_in, H d_h, H)
 *   HORA     tZ [H r, e]   tW2A [.., k, d_in]   tW2B [.., k, d_h]   -> (d_in, H d_h, H)
 * </pre>
 */
final class LayerParams {
    private LayerParams() {
    }

    /** @throws IllegalArgumentException naming the parameter that is missing or has a wrong rank */
    static Map<Target, ProjectionShape> infer(AdapterConfig cfg, Map<String, INDArray> p) {
        Map<Target, ProjectionShape> m = new EnumMap<>(Target.class);
        int r = cfg.getRank();
        for (Target t : cfg.getTargets()) {
            String x = t.prefix();
            switch (cfg.getKind()) {
                case LORA -> m.put(t, new ProjectionShape(dim(p, x + "A", 2, 0), dim(p, x + "B", 2, 1), 1));
                case MH_LORA -> {
                    long h = dim(p, x + "A", 3, 0);
                    m.put(t, new ProjectionShape(dim(p, x + "A", 3, 1), h * dim(p, x + "B", 3, 2), (int) h));
                }
                case HORA -> {
                    int rank = cfg.isPerHeadOutput() ? 3 : 2;
                    long hr = dim(p, x + "Z", 2, 0);
                    if (hr % r != 0) {
                        throw new IllegalArgumentException("parameter '" + x + "Z' has " + hr
                                + " rows, not a multiple of the rank " + r);
                    }
                    m.put(t, new ProjectionShape(dim(p, x + "W2A", rank, rank - 1),
                            hr / r * dim(p, x + "W2B", rank, rank - 1), (int) (hr / r)));
                }
                default -> throw new IllegalStateException(cfg.getKind().name());
            }
        }
        return m;
    }

    /**
     * Checks that {@code p} holds exactly the adapter's parameters with their shapes.
     *
     * @throws IllegalArgumentException naming the missing, unexpected or wrongly shaped parameter
     */
    static void check(AdapterConfig cfg, Map<Target, ProjectionShape> proj, Map<String, INDArray> p) {
        LinkedHashMap<String, long[]> want = Adapters.create(cfg, proj).paramShapes();
        for (Map.Entry<String, long[]> e : want.entrySet()) {
            INDArray a = p.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("missing parameter '" + e.getKey() + "'");
            }
            if (!Arrays.equals(a.shape(), e.getValue())) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' has shape " + Arrays.toString(a.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        for (String k : p.keySet()) {
            if (!want.containsKey(k)) {
                throw new IllegalArgumentException("unexpected parameter '" + k + "' (a " + cfg.getKind()
                        + " layer has " + want.keySet() + ")");
            }
        }
    }

    private static long dim(Map<String, INDArray> p, String name, int rank, int axis) {
        INDArray a = p.get(name);
        if (a == null) {
            throw new IllegalArgumentException("missing parameter '" + name + "'");
        }
        if (a.rank() != rank) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(a.shape())
                    + ", expected rank " + rank);
        }
        return a.size(axis);
    }
}
