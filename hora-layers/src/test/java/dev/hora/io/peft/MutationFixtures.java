package dev.hora.io.peft;

import dev.hora.config.AdapterConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Adapter folders for {@code dev.hora.io.SafetensorsMutationTest}: a tiny folder, and comparison of what was read. */
public final class MutationFixtures {
    private MutationFixtures() {
    }

    /** Writes a two-layer folder of {@code cfg}. */
    public static void write(Path dir, AdapterConfig cfg) throws Exception {
        AdapterFolder.write(dir, cfg, "tiny", Fixtures.layers(Fixtures.adapter(cfg), 0, 1), 2);
    }

    /**
     * Same structure (kind, rank, targets, projections, tensor names, dtypes and shapes); with
     * {@code values} also the same config, base model, layer count and tensor values.
     */
    public static boolean same(SavedAdapter a, SavedAdapter b, boolean values) {
        AdapterConfig x = a.config();
        AdapterConfig y = b.config();
        boolean structure = x.getKind() == y.getKind() && x.getRank() == y.getRank()
                && x.getTargets().equals(y.getTargets())
                && a.projections().equals(b.projections()) && a.layers().keySet().equals(b.layers().keySet())
                && a.layers().entrySet().stream().allMatch(e -> same(e.getValue(), b.layers().get(e.getKey()), false));
        if (!structure || !values) {
            return structure;
        }
        // numLayers is informational (a metadata number without a checksum): a value, like alpha
        return x.equals(y) && Objects.equals(a.baseModel(), b.baseModel()) && a.numLayers() == b.numLayers()
                && a.layers().entrySet().stream().allMatch(e -> same(e.getValue(), b.layers().get(e.getKey()), true));
    }

    private static boolean same(Map<String, INDArray> a, Map<String, INDArray> b, boolean values) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            INDArray p = a.get(k);
            INDArray q = b.get(k);
            if (p.dataType() != q.dataType() || !Arrays.equals(p.shape(), q.shape())
                    || values && !Arrays.equals(p.dup().data().asDouble(), q.dup().data().asDouble())) {
                return false;
            }
        }
        return true;
    }
}
