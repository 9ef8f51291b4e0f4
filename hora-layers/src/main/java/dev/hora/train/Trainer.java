package dev.hora.train;

import dev.hora.util.Blas;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The optimizer over the named, live trainable tensors of an {@link Objective}: the kernel path of a
 * model's adapter ({@code dev.hora.peft.PeftModel#objective}), or a SameDiff graph
 * ({@link SameDiffObjective}, the reference path and small heads).
 *
 * <pre>
 *   loss, {g_p} = objective.lossAndGradients(batch)                                   one pass
 *   n  = ||{g_p}||_2 ;  g_p <- g_p * min(1, maxNorm / (n + 1e-6))                   (optional clipping)
 *   lr = updater.getLearningRate(t, epoch)                                           (ISchedule or fixed)
 *   u_p = updater_p(g_p, t, epoch)        ND4J GradientUpdater, state in its own view array
 *                                        (Adam on float tensors: {@link FusedAdam}, all four lines in one pass)
 *   u_p += lr * wd * theta_p              decoupled weight decay (AdamW), WeightDecay(wd, applyLR=true)
 *   u_p *= m_p                   per-tensor learning-rate multiplier ({@link Objective#lrMultipliers}, e.g. HoRA's generator)
 *   theta_p -= u_p ;  t += 1 ;  objective.parametersChanged()
 * </pre>
 * Default updater: {@code Adam(1e-3)}, beta1 0.9, beta2 0.999, eps 1e-8, no weight decay, which with
 * {@code weightDecay(wd)} is AdamW. ND4J's Adam applies the bias correction to the step size:
 * {@code theta -= lr sqrt(1-b2^(t+1)) / (1-b1^(t+1)) * m / (sqrt(v) + eps)} (t 0-based).
 *
 * <p>{@link #state()} / {@link #restore(Map)} export and import everything needed to resume
 * bit-identically: {@code param/<name>} (values), {@code updater/<name>} (flat state view
 * {@code [1, stateSize]}, e.g. Adam's {@code [m | v]}), {@code counter/iteration} and
 * {@code counter/epoch} (int64 {@code [1]}). Not thread-safe.
 */
public final class Trainer {
    public static final String PARAM_PREFIX = "param/";
    public static final String UPDATER_PREFIX = "updater/";
    public static final String ITERATION_KEY = "counter/iteration";
    public static final String EPOCH_KEY = "counter/epoch";
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final Objective objective;
    private final Map<String, INDArray> params = new LinkedHashMap<>();   // name -> live array
    private final List<String> trainable;
    private final IUpdater updater;
    private final WeightDecay weightDecay;
    private final double weightDecayCoeff;
    private final boolean fusedAdam;
    private final double maxGradNorm;
    private final Map<String, Double> lrMultipliers;
    private final Map<String, INDArray> stateViews = new LinkedHashMap<>();   // name -> [1, stateSize]
    private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
    private int iteration;
    private int epoch;
    private double lastGradNorm = Double.NaN;

    private Trainer(Builder b) {
        Blas.warnIfMisdetected();
        this.objective = Objects.requireNonNull(b.objective, "objective must be set");
        this.trainable = List.copyOf(objective.parameters().keySet());
        this.updater = b.updater.clone();
        this.weightDecay = b.weightDecay > 0 ? new WeightDecay(b.weightDecay, true) : null;
        this.weightDecayCoeff = b.weightDecay;
        this.fusedAdam = b.fusedAdam;
        this.maxGradNorm = b.maxGradNorm;
        this.lrMultipliers = Map.copyOf(b.lrMultipliers != null ? b.lrMultipliers : objective.lrMultipliers());
        if (trainable.isEmpty() || new HashSet<>(trainable).size() != trainable.size()) {
            throw new IllegalArgumentException("trainable: " + trainable + " must be non-empty without duplicates");
        }
        params.putAll(objective.parameters());
        for (String n : trainable) {
            INDArray p = params.get(n);
            long size = updater.stateSize(p.length());
            INDArray view = size == 0 ? null : Nd4j.zeros(p.dataType(), 1, size);
            stateViews.put(n, view);
            updaters.put(n, updater.instantiate(view, true));
        }
        lrMultipliers.forEach((n, m) -> {
            if (!trainable.contains(n) || !(m > 0) || !Double.isFinite(m)) {
                throw new IllegalArgumentException("lrMultipliers: '" + n + "' -> " + m + ": allowed a trainable "
                        + "variable and a finite number > 0");
            }
        });
        LOG.debug("trainer: {} trainable tensors, updater {}, lr multipliers {}", trainable.size(), updater, lrMultipliers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * One optimizer step on one batch.
     *
     * @param batch the objective's inputs (placeholders of a SameDiff graph)
     * @return the loss before the update (the mean if the loss is not a scalar)
     */
    public float step(Map<String, INDArray> batch) {
        objective.beginStep(iteration);
        Objective.Result r = objective.lossAndGradients(batch);
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

    private void update(List<INDArray> grads) {
        lastGradNorm = GlobalNormClipping.clip(grads, maxGradNorm);
        double lr = updater.hasLearningRate() ? updater.getLearningRate(iteration, epoch) : 0;
        for (int i = 0; i < trainable.size(); i++) {
            String n = trainable.get(i);
            INDArray p = params.get(n);
            Double m = lrMultipliers.get(n);
            INDArray state = stateViews.get(n);
            if (fusedAdam && FusedAdam.applies(updater, p, grads.get(i), state)) {
                FusedAdam.step((Adam) updater, p, grads.get(i), state, lr, lr * weightDecayCoeff,
                        m == null ? 1.0 : m, iteration);
                continue;
            }
            INDArray u = grads.get(i).reshape('c', 1, p.length());   // [1, length] as SameDiff's own fit
            updaters.get(n).applyUpdater(u, iteration, epoch);
            if (weightDecay != null) {
                weightDecay.apply(p.reshape('c', 1, p.length()), u, lr, iteration, epoch);
            }
            if (m != null && m != 1.0) {
                u.muli(m);
            }
            p.subi(u.reshape('c', p.shape()));
        }
        iteration++;
        objective.parametersChanged();
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

    /**
     * Copies values into the trainable variables (e.g. the best step's, kept aside); optimizer state
     * and counters are not touched.
     *
     * @throws IllegalArgumentException naming a missing variable or a wrong shape
     */
    public void setParams(Map<String, INDArray> values) {
        for (String n : trainable) {
            INDArray v = values.get(n);
            INDArray cur = params.get(n);
            if (v == null || !java.util.Arrays.equals(v.shape(), cur.shape())) {
                throw new IllegalArgumentException("params: '" + n + "' is " + (v == null ? "missing"
                        : "of shape " + java.util.Arrays.toString(v.shape()) + ", expected "
                        + java.util.Arrays.toString(cur.shape())));
            }
            cur.assign(v);
        }
        objective.parametersChanged();
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
        objective.parametersChanged();
        LOG.debug("restored trainer state at iteration {}, epoch {}", iteration, epoch);
    }

    /** Builder; {@link #build()} checks the graph. */
    public static final class Builder {
        private IUpdater updater = new Adam(1e-3);
        private double weightDecay;
        private double maxGradNorm;
        private Map<String, Double> lrMultipliers;
        private Objective objective;
        private boolean fusedAdam = true;

        /** Where the loss and gradients come from (trainable = its parameters). */
        public Builder objective(Objective v) { objective = v; return this; }
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

        /**
         * Factor on the update of each named tensor (missing = 1), replacing the objective's own
         * {@link Objective#lrMultipliers()} (the default).
         */
        public Builder lrMultipliers(Map<String, Double> v) { lrMultipliers = Map.copyOf(v); return this; }

        /** False: every update through ND4J's updater ops even for Adam (the reference the fused step is tested on). */
        Builder fusedAdam(boolean v) { fusedAdam = v; return this; }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}
