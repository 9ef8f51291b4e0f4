package dev.hora.onnx.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Per-op-type timing of SameDiff execution: the time from {@code preOpExecution} to
 * {@code opExecution} of every op (native execution plus output allocation), summed by op type
 * ({@code opName()}, e.g. {@code matmul}, {@code add_bp}); everything else in a run is the session's
 * Java-side overhead (scheduling, shape inference, array bookkeeping).
 */
final class OpTimer extends BaseListener {
    private final Map<String, long[]> byType = new HashMap<>();   // type -> {nanos, count}
    private long start;

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext ctx) {
        start = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
        long dt = System.nanoTime() - start;
        long[] s = byType.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
        s[0] += dt;
        s[1]++;
    }

    void reset() {
        byType.clear();
    }

    long totalNanos() {
        return byType.values().stream().mapToLong(s -> s[0]).sum();
    }

    long opCount() {
        return byType.values().stream().mapToLong(s -> s[1]).sum();
    }

    /** The top op types by time, one per line: type, ms, share of op time, count, per run. */
    String summary(int top, int runs, double wallMsPerRun) {
        List<Map.Entry<String, long[]>> e = new ArrayList<>(byType.entrySet());
        e.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        double total = totalNanos();
        StringBuilder sb = new StringBuilder(String.format("  wall %.0f ms/run, in ops %.0f ms/run (%d ops/run)%n",
                wallMsPerRun, total / 1e6 / runs, opCount() / runs));
        for (int i = 0; i < Math.min(top, e.size()); i++) {
            long[] s = e.get(i).getValue();
            sb.append(String.format("  %-28s %8.1f ms %5.1f%% %6d ops%n", e.get(i).getKey(), s[0] / 1e6 / runs,
                    100 * s[0] / total, s[1] / runs));
        }
        return sb.toString();
    }
}
