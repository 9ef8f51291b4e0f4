package dev.hora.train;

import dev.hora.util.Blas;
import dev.hora.util.QuietStdout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training-loop core: the optimizer over named trainable tensors whose gradients come either
 * from a SameDiff graph in which only the listed variables train (every pretrained tensor a
 * constant, never touched), or from an {@link Objective} (the kernel path of an imported encoder,
 * whose adapter parameters are SameDiff variables of the adapters' graphs).
 *
 * <pre>
 *   loss, {g_p} = sd.calculateGradientsAndOutputs(placeholders, [loss], trainable)   one pass
 *            or = objective.lossAndGradients(batch)
 *   n  = ||{g_p}||_2 ;  g_p <- g_p * min(1, maxNorm / (n + 1e-6))                   (optional clipping)
 *   lr = updater.getLearningRate(t, epoch)                                           (ISchedule or fixed)
 *   u_p = updater_p(g_p, t, epoch)        ND4J GradientUpdater, state in its own view array
 *   u_p += lr * wd * theta_p              decoupled weight decay (AdamW), WeightDecay(wd, applyLR=true)
 *   theta_p -= u_p ;  t += 1
 * </pre>
 * Default updater: {@code Adam(1e-3)}, beta1 0.9, beta2 0.999, eps 1e-8, no weight decay, which with
 * {@code weightDecay(wd)} is AdamW. ND4J's Adam applies the bias correction to the step size:
 * {@code theta -= lr sqrt(1-b2^(t+1)) / (1-b1^(t+1)) * m / (sqrt(v) + eps)} (t 0-based).
 *
 * <p>Why not {@code sd.fit}: fit trains every VARIABLE of the graph, needs a DataSet/MultiDataSet
 * mapping and gives no access to the gradient norm, clipping or the updater state per variable;
 * one {@link #step} does the same arithmetic (to 1e-12 in double, {@code SameDiffTrainerFitParityTest}).
 * Measured with {@code TrainerBench} (d = 384, batch 256, rank 8, 1 thread, loaded machine): fit
 * took ~28-31 ms/step, {@code step} ~40-58 ms/step; fit keeps its training session between calls,
 * {@code calculateGradientsAndOutputs} builds one per call. Closing that gap is open work.
 *
 * <p>{@link #state()} / {@link #restore(Map)} export and import everything needed to resume
 * bit-identically: {@code param/<name>} (values), {@code updater/<name>} (flat state view
 * {@code [1, stateSize]}, e.g. Adam's {@code [m | v]}), {@code counter/iteration} and
 * {@code counter/epoch} (int64 {@code [1]}). Not thread-safe.
 */
public final class SameDiffTrainer {
    public static final String PARAM_PREFIX = "param/";
    public static final String UPDATER_PREFIX = "updater/";
    public static final String ITERATION_KEY = "counter/iteration";
    public static final String EPOCH_KEY = "counter/epoch";
    private static final Logger LOG = LoggerFactory.getLogger(SameDiffTrainer.class);

    private final SameDiff sd;
    private final Objective objective;
    private final Map<String, INDArray> params = new LinkedHashMap<>();   // name -> live array
    private final String loss;
    private final List<String> trainable;
    private final IUpdater updater;
    private final WeightDecay weightDecay;
    private final double maxGradNorm;
    private final Map<String, INDArray> stateViews = new LinkedHashMap<>();   // name -> [1, stateSize]
    private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
    private int iteration;
    private int epoch;
    private double lastGradNorm = Double.NaN;

    private SameDiffTrainer(Builder b) {
        Blas.warnIfMisdetected();
        this.objective = b.objective;
        this.sd = objective == null ? Objects.requireNonNull(b.sd, "sameDiff (or an objective) must be set") : null;
        this.loss = objective == null ? Objects.requireNonNull(b.loss, "loss variable must be set") : null;
        this.trainable = objective == null ? List.copyOf(b.trainable) : List.copyOf(objective.parameters().keySet());
        this.updater = b.updater.clone();
        this.weightDecay = b.weightDecay > 0 ? new WeightDecay(b.weightDecay, true) : null;
        this.maxGradNorm = b.maxGradNorm;
        if (trainable.isEmpty() || new HashSet<>(trainable).size() != trainable.size()) {
            throw new IllegalArgumentException("trainable: " + trainable + " must be non-empty without duplicates");
        }
        if (objective == null) {
            SDVariable l = sd.getVariable(loss);
            if (l == null || !l.dataType().isFPType()) {
                throw new IllegalArgumentException("loss: '" + loss + "' is " + (l == null ? "not a variable of the graph"
                        : "of type " + l.dataType() + ", not floating point"));
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
        } else {
            params.putAll(objective.parameters());
        }
        for (String n : trainable) {
            INDArray p = params.get(n);
            long size = updater.stateSize(p.length());
            INDArray view = size == 0 ? null : Nd4j.zeros(p.dataType(), 1, size);
            stateViews.put(n, view);
            updaters.put(n, updater.instantiate(view, true));
        }
        LOG.debug("trainer: loss {}, {} trainable tensors, updater {}", objective == null ? loss : "objective",
                trainable.size(), updater);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * One optimizer step on one batch.
     *
     * @param placeholders every placeholder the loss needs
     * @return the loss before the update (the mean if the loss is not a scalar)
     */
    public float step(Map<String, INDArray> placeholders) {
        if (objective != null) {
            objective.beginStep(iteration);
            Objective.Result r = objective.lossAndGradients(placeholders);
            List<INDArray> grads = new ArrayList<>(trainable.size());
            for (String n : trainable) {
                INDArray g = r.gradients().get(n);
                if (g == null) {
                    throw new IllegalStateException("trainable '" + n + "' got no gradient from the objective");
                }
                grads.add(g.isView() || g.ordering() != 'c' ? g.dup('c') : g);
            }
            update(grads);
            return (float) r.loss();
        }
        if (!sd.hasGradientFunction()) {   // the first step builds the gradient graph: quiet its stdout noise
            return QuietStdout.call(() -> doStep(placeholders));
        }
        return doStep(placeholders);
    }

    private float doStep(Map<String, INDArray> placeholders) {
        OutAndGrad og = sd.calculateGradientsAndOutputs(placeholders, List.of(loss), trainable);
        INDArray l = og.getOutputs().get(loss);
        List<INDArray> grads = new ArrayList<>(trainable.size());
        for (String n : trainable) {
            INDArray g = og.getGradients().get(n);
            if (g == null) {
                throw new IllegalStateException("trainable '" + n + "' got no gradient: it does not reach loss '"
                        + loss + "'");
            }
            grads.add(g.isView() || g.ordering() != 'c' ? g.dup('c') : g);
        }
        update(grads);
        return l.length() == 1 ? l.getFloat(0) : l.meanNumber().floatValue();
    }

    private void update(List<INDArray> grads) {
        lastGradNorm = GlobalNormClipping.clip(grads, maxGradNorm);
        double lr = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : 0;
        for (int i = 0; i < trainable.size(); i++) {
            String n = trainable.get(i);
            INDArray p = params.get(n);
            INDArray u = grads.get(i).reshape('c', 1, p.length());   // [1, length] as SameDiff's own fit
            updaters.get(n).applyUpdater(u, iteration, epoch);
            if (weightDecay != null) {
                weightDecay.apply(p.reshape('c', 1, p.length()), u, lr, iteration, epoch);
            }
            p.subi(u.reshape('c', p.shape()));
        }
        iteration++;
    }

    /** Marks the end of an epoch (the epoch counter is passed to the updater and schedules). */
    public void endEpoch() {
        epoch++;
    }

    /** Optimizer steps taken so far (0-based index of the next step). */
    public int iteration() {
        return iteration;
    }

    public int epoch() {
        return epoch;
    }

    /** Global gradient norm of the last step, before clipping (NaN before the first step). */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    /** Learning rate the next step will use. */
    public double learningRate() {
        return updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : 0;
    }

    /** Names of the trainable variables, in update order. */
    public List<String> trainable() {
        return trainable;
    }

    /** Copies of the current trainable values, by variable name. */
    public Map<String, INDArray> params() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        trainable.forEach(n -> m.put(n, params.get(n).dup()));
        return m;
    }

    /** A copy of everything needed to resume (keys in the class javadoc). */
    public Map<String, INDArray> state() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String n : trainable) {
            m.put(PARAM_PREFIX + n, params.get(n).dup());
            INDArray view = stateViews.get(n);
            if (view != null) {
                m.put(UPDATER_PREFIX + n, view.dup());
            }
        }
        m.put(ITERATION_KEY, Nd4j.createFromArray(new long[]{iteration}));
        m.put(EPOCH_KEY, Nd4j.createFromArray(new long[]{epoch}));
        return m;
    }

    /**
     * Restores a {@link #state()} (values are copied in; other keys are ignored).
     *
     * @throws IllegalArgumentException naming the key when one is missing, has the wrong shape,
     *                                  or names a parameter this trainer does not train
     */
    public void restore(Map<String, INDArray> state) {
        TrainerStates.check(state, trainable, stateViews, params);
        for (String n : trainable) {
            params.get(n).assign(state.get(PARAM_PREFIX + n));
            INDArray view = stateViews.get(n);
            if (view != null) {
                view.assign(state.get(UPDATER_PREFIX + n).reshape(view.shape()));   // updaters hold views of it
            }
        }
        iteration = Math.toIntExact(state.get(ITERATION_KEY).getLong(0));
        epoch = Math.toIntExact(state.get(EPOCH_KEY).getLong(0));
        LOG.debug("restored trainer state at iteration {}, epoch {}", iteration, epoch);
    }

    /** Builder; {@link #build()} checks the graph. */
    public static final class Builder {
        private SameDiff sd;
        private String loss;
        private List<String> trainable = List.of();
        private IUpdater updater = new Adam(1e-3);
        private double weightDecay;
        private double maxGradNorm;

        private Objective objective;

        public Builder sameDiff(SameDiff v) { sd = v; return this; }
        /** Gradients from an {@link Objective} instead of a SameDiff graph (trainable = its parameters). */
        public Builder objective(Objective v) { objective = v; return this; }
        public Builder loss(String v) { loss = v; return this; }
        public Builder trainable(List<String> v) { trainable = List.copyOf(v); return this; }
        public Builder trainable(String... v) { trainable = List.of(v); return this; }
        /** Any ND4J updater (its learning rate may carry an ISchedule); default Adam(1e-3). */
        public Builder updater(IUpdater v) { updater = Objects.requireNonNull(v, "updater"); return this; }

        /** Adam with this peak learning rate and a {@link LinearWarmupSchedule}. */
        public Builder adam(double lr, int warmupSteps, int totalSteps) {
            updater = new Adam(new LinearWarmupSchedule(lr, warmupSteps, totalSteps));
            return this;
        }

        /** Decoupled weight decay (AdamW): {@code theta -= lr * wd * theta} each step; 0 = off. */
        public Builder weightDecay(double v) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("weightDecay = " + v + " is out of range: allowed a finite number >= 0");
            }
            weightDecay = v;
            return this;
        }

        /** Clip gradients to this global L2 norm; {@code <= 0} = off (default). */
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }

        public SameDiffTrainer build() {
            return new SameDiffTrainer(this);
        }
    }
}
