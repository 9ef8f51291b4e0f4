package dev.hora.fit;

import dev.hora.text.TokenBatcher;
import dev.hora.util.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings of {@link Fit#fit}; build with {@link #builder(TokenBatcher)}. Defaults are those of
 * {@code hora finetune}: AdamW at 1e-3 with a linear warmup over the first tenth of the steps and a
 * linear decay to 0, gradients clipped to norm 1, batch 8, one epoch, seed 42.
 */
public final class FitOptions {
    final TokenBatcher tokenizer;
    final double learningRate;
    final int epochs;
    final long steps;
    final int batchSize;
    final long seed;
    final int evalEvery;
    final int warmupSteps;
    final double maxGradNorm;
    final List<FitListener> listeners;
    final FitCheckpoints checkpoints;
    final int checkpointEvery;
    final boolean resume;

    private FitOptions(Builder b) {
        this.tokenizer = b.tokenizer;
        this.learningRate = b.learningRate;
        this.epochs = b.epochs;
        this.steps = b.steps;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.evalEvery = b.evalEvery;
        this.warmupSteps = b.warmupSteps;
        this.maxGradNorm = b.maxGradNorm;
        this.listeners = List.copyOf(b.listeners);
        this.checkpoints = b.checkpoints;
        this.checkpointEvery = b.checkpointEvery;
        this.resume = b.resume;
    }

    /** Options that tokenise with {@code tokenizer} (its truncation length is the model's input length). */
    public static Builder builder(TokenBatcher tokenizer) {
        return new Builder(tokenizer);
    }

    /** Builder; every setter checks its range and names the option. */
    public static final class Builder {
        private final TokenBatcher tokenizer;
        private double learningRate = 1e-3;
        private int epochs = 1;
        private long steps;
        private int batchSize = 8;
        private long seed = 42;
        private int evalEvery;
        private int warmupSteps = -1;
        private double maxGradNorm = 1.0;
        private final List<FitListener> listeners = new ArrayList<>();
        private FitCheckpoints checkpoints;
        private int checkpointEvery;
        private boolean resume;

        private Builder(TokenBatcher tokenizer) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        }

        /** Peak learning rate (AdamW). */
        public Builder learningRate(double v) {
            if (!(v > 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("learningRate = " + v + " is out of range: allowed a finite number > 0");
            }
            learningRate = v;
            return this;
        }

        /** Passes over the training data (ignored when {@link #steps} is set). */
        public Builder epochs(int v) {
            Checks.atLeast("epochs", v, 1);
            epochs = v;
            return this;
        }

        /** A fixed number of optimizer steps instead of whole epochs (0: use {@link #epochs}). */
        public Builder steps(long v) {
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("steps = " + v + " is out of range: allowed 0 to " + Integer.MAX_VALUE);
            }
            steps = v;
            return this;
        }

        public Builder batchSize(int v) {
            Checks.atLeast("batchSize", v, 1);
            batchSize = v;
            return this;
        }

        /** Seed of the batch order (and nothing else: the adapter's own seed draws its initial values). */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Also validate every N steps (0: only at epoch ends). */
        public Builder evalEvery(int v) {
            Checks.atLeast("evalEvery", v, 0);
            evalEvery = v;
            return this;
        }

        /** Steps of linear warmup (default: a tenth of all steps). */
        public Builder warmupSteps(int v) {
            Checks.atLeast("warmupSteps", v, 0);
            warmupSteps = v;
            return this;
        }

        /** Clip the global gradient norm to this; 0 turns clipping off. */
        public Builder maxGradNorm(double v) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("maxGradNorm = " + v + " is out of range: allowed a finite number >= 0");
            }
            maxGradNorm = v;
            return this;
        }

        public Builder listener(FitListener v) {
            listeners.add(Objects.requireNonNull(v, "listener"));
            return this;
        }

        /**
         * Where checkpoints go: written every {@code every} steps (0: only at epoch ends) and at each
         * epoch end; with {@code resume}, training continues from the checkpoint found there.
         */
        public Builder checkpoints(FitCheckpoints store, int every, boolean resume) {
            Checks.atLeast("checkpointEvery", every, 0);
            this.checkpoints = Objects.requireNonNull(store, "checkpoints");
            this.checkpointEvery = every;
            this.resume = resume;
            return this;
        }

        public FitOptions build() {
            return new FitOptions(this);
        }
    }
}
