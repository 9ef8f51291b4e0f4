package dev.hora.spark.train;

import dev.hora.onnx.bert.BertEncoder;
import dev.hora.train.Objective;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One worker's {@link Objective} in data-parallel training: its shard's loss and gradients, all-reduced.
 * <pre>
 *   (L_w, g_w) = inner.lossAndGradients(shard_w)          means over the shard's n_w rows
 *   [g | L]    = allReduceMean([g_w | L_w], n_w)          = sum_w n_w [g_w | L_w] / sum_w n_w
 * </pre>
 * which is the loss and gradient of the global batch (the union of the shards): every worker's
 * {@link dev.hora.train.Trainer} then applies the same update to the same parameters. The gradients are
 * flattened in {@link #parameters()} order; dropout, if any, draws each shard's masks from (seed, step) alone.
 */
public final class AllReduceObjective implements Objective {
    private final Objective inner;
    private final GradientExchange exchange;

    public AllReduceObjective(Objective inner, GradientExchange exchange) {
        this.inner = inner;
        this.exchange = exchange;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return inner.parameters();
    }

    @Override
    public void beginStep(int iteration) {
        inner.beginStep(iteration);
    }

    @Override
    public Map<String, Double> lrMultipliers() {
        return inner.lrMultipliers();
    }

    @Override
    public void parametersChanged() {
        inner.parametersChanged();
    }

    @Override
    public Result lossAndGradients(Map<String, INDArray> batch) {
        Result local = inner.lossAndGradients(batch);
        long rows = batch.get(BertEncoder.INPUT_IDS).size(0);
        int len = 1;
        for (INDArray p : parameters().values()) {
            len += Math.toIntExact(p.length());
        }
        float[] flat = new float[len];
        int at = 0;
        for (String n : parameters().keySet()) {
            float[] g = local.gradients().get(n).dup('c').data().asFloat();
            System.arraycopy(g, 0, flat, at, g.length);
            at += g.length;
        }
        flat[at] = (float) local.loss();
        float[] mean = exchange.allReduceMean(flat, rows);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        at = 0;
        for (Map.Entry<String, INDArray> e : parameters().entrySet()) {
            int n = Math.toIntExact(e.getValue().length());
            float[] part = java.util.Arrays.copyOfRange(mean, at, at + n);
            grads.put(e.getKey(), Nd4j.createFromArray(part).reshape('c', e.getValue().shape())
                    .castTo(e.getValue().dataType()));
            at += n;
        }
        return new Result(mean[at], grads);
    }
}
