package dev.hora.peft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A batch whose rows name their adapters, regrouped so each adapter's rows are contiguous
 * (the grouping of Punica / S-LoRA):
 * <pre>
 *   names [b] -> order: rows of the first-named adapter, then the next, ...     groups: [from, to) -> adapter
 *   gather(x)[i] = x[order[i]]            scatter(y)[order[i]] = y[i]   (a gather by the inverse order)
 * </pre>
 */
final class MixedBatch {
    private final int[] order;
    private final List<Runner.Group> groups;

    private MixedBatch(int[] order, List<Runner.Group> groups) {
        this.order = order;
        this.groups = groups;
    }

    /** @param adapters resolves a name (a clear error for an unknown one); null names run the base model */
    static MixedBatch of(List<String> names, int batch, Function<String, AdapterSet> adapters) {
        if (names.size() != batch) {
            throw new IllegalArgumentException("adapterNames has " + names.size() + " entries for a batch of " + batch
                    + " rows: one per row (null for the base model)");
        }
        Map<String, List<Integer>> rows = new LinkedHashMap<>();
        for (int i = 0; i < batch; i++) {
            rows.computeIfAbsent(names.get(i), k -> new ArrayList<>()).add(i);
        }
        int[] order = new int[batch];
        List<Runner.Group> groups = new ArrayList<>();
        int at = 0;
        for (Map.Entry<String, List<Integer>> e : rows.entrySet()) {
            AdapterSet a = e.getKey() == null ? null : adapters.apply(e.getKey());
            groups.add(new Runner.Group(a, at, at + e.getValue().size()));
            for (int r : e.getValue()) {
                order[at++] = r;
            }
        }
        return new MixedBatch(order, groups);
    }

    List<Runner.Group> groups() {
        return groups;
    }

    /** True when the rows are already grouped (no reordering needed). */
    boolean isIdentity() {
        for (int i = 0; i < order.length; i++) {
            if (order[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** Rows of x [b, ...] in group order. */
    INDArray gather(INDArray x) {
        return Nd4j.pullRows(x, 1, order);
    }

    /** The inverse of {@link #gather} on the outputs [b, ...] (2-d or 3-d): one gather by the inverse order. */
    INDArray scatter(INDArray y) {
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[order[i]] = i;
        }
        long[] shape = y.shape();
        INDArray rows = y.rank() == 2 ? y : y.reshape('c', shape[0], y.length() / shape[0]);
        return Nd4j.pullRows(rows, 1, inverse).reshape('c', shape);
    }
}
