package dev.hora.train;

import dev.hora.util.QuietStdout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The {@link Objective} of a SameDiff graph in which only the listed variables train (every other
 * tensor a constant, never touched): SameDiff's autodiff, one pass per batch:
 * <pre>
 *   loss, {g_p} = sd.calculateGradientsAndOutputs(placeholders, [loss], trainable)
 * </pre>
 * The reference path of the project's models and the trainer of small graphs (a linear probe's head).
 * A non-scalar loss is averaged. Why not {@code sd.fit}: fit trains every VARIABLE of the graph,
 * needs a DataSet mapping and gives no access to the gradient norm or per-tensor updater state.
 */
public final class SameDiffObjective implements Objective {
    private final SameDiff sd;
    private final String loss;
    private final Map<String, INDArray> params = new LinkedHashMap<>();
    private final Map<String, Double> lrMultipliers;

    private SameDiffObjective(SameDiff sd, String loss, List<String> trainable, Map<String, Double> lrMultipliers) {
        this.sd = Objects.requireNonNull(sd, "sameDiff");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.lrMultipliers = Map.copyOf(lrMultipliers);
        SDVariable l = sd.getVariable(loss);
        if (l == null || !l.dataType().isFPType()) {
            throw new IllegalArgumentException("loss: '" + loss + "' is " + (l == null ? "not a variable of the graph"
                    : "of type " + l.dataType() + ", not floating point"));
        }
        if (trainable.isEmpty() || new java.util.HashSet<>(trainable).size() != trainable.size()) {
            throw new IllegalArgumentException("trainable: " + trainable + " must be non-empty without duplicates");
        }
        for (String n : trainable) {
            SDVariable v = sd.getVariable(n);
            if (v == null || v.getVariableType() != VariableType.VARIABLE) {
                throw new IllegalArgumentException("trainable: '" + n + "' is " + (v == null ? "not in the graph"
                        : "a " + v.getVariableType() + ", not a VARIABLE") + " (use sd.var for trainable tensors)");
            }
            params.put(n, v.getArr());
        }
        sd.setLossVariables(loss);
    }

    /** Trains {@code trainable} (VARIABLEs of {@code sd}) on the scalar (or averaged) {@code loss}. */
    public static SameDiffObjective of(SameDiff sd, String loss, List<String> trainable) {
        return new SameDiffObjective(sd, loss, trainable, Map.of());
    }

    /** The same with learning-rate multipliers by variable name. */
    public static SameDiffObjective of(SameDiff sd, String loss, List<String> trainable, Map<String, Double> lrMultipliers) {
        return new SameDiffObjective(sd, loss, trainable, lrMultipliers);
    }

    public SameDiff sameDiff() {
        return sd;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    @Override
    public Map<String, Double> lrMultipliers() {
        return lrMultipliers;
    }

    @Override
    public Result lossAndGradients(Map<String, INDArray> batch) {
        if (!sd.hasGradientFunction()) {   // the first call builds the gradient graph: quiet its stdout noise
            return QuietStdout.call(() -> compute(batch));
        }
        return compute(batch);
    }

    private Result compute(Map<String, INDArray> batch) {
        OutAndGrad og = sd.calculateGradientsAndOutputs(batch, List.of(loss), List.copyOf(params.keySet()));
        INDArray l = og.getOutputs().get(loss);
        Map<String, INDArray> grads = new LinkedHashMap<>();
        for (String n : params.keySet()) {
            INDArray g = og.getGradients().get(n);
            if (g == null) {
                throw new IllegalStateException("trainable '" + n + "' got no gradient: it does not reach loss '"
                        + loss + "'");
            }
            grads.put(n, g);
        }
        return new Result(l.length() == 1 ? l.getDouble(0) : l.meanNumber().doubleValue(), grads);
    }
}
