package dev.hora.config;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * Every setting of an adapter (docs/METHOD.md), apart from the layers it is attached to.
 *
 * <pre>
 *   dW_t = s * [A_{t,1} B_{t,1} | ... | A_{t,H} B_{t,H}]      s = alpha / r   (rsLoRA: alpha / sqrt r)
 *   HoRA:  u_{t,i,j} = act(z_{t,i,j} W1 + b1)                  z in R^e, W1 [e, k]
 *          a_{t,i,j} = u W2A_t + cA_t  (column j of A_{t,i})   W2A_t [k, d_in]
 *          b_{t,i,j} = u W2B_t + cB_t  (row j of B_{t,i})      W2B_t [k, d_h]
 * </pre>
 *
 * <p>HoRA variants (defaults = the reading of docs/METHOD.md, each a setting so a measurement can decide):
 * <pre>
 *   learnableSeeds (true)       false: the seeds z stay at their N(0, 1) draw; only the generator trains
 *   seedWidth e (8), hiddenWidth k (16), activation act (tanh)
 *   generatorLrMultiplier (1)   the optimizer step of W1, b1, W2A, cA, W2B, cB is scaled: lr_gen = m * lr
 *   initScaleA (1)              W2A is multiplied once at init, so std(A) = initScaleA * (LORA_SCALED:
 *                               1/sqrt(3 d_in); XAVIER: the plain Xavier std)
 *   sharedPair (false)          true: the generator also emits one pair (A_{t,s}, B_{t,s}) from r extra
 *                               seeds {t}Zs, added to every head's block:
 *                               dW_t[:, head i] = s (A_{t,i} B_{t,i} + A_{t,s} B_{t,s})
 * </pre>
 * learnableSeeds and generatorLrMultiplier act through {@code Adapter.trainable} / {@code lrMultiplier},
 * which PeftModel and its Trainer apply, and so do the DL4J layers (HoraSelfAttention, AdaptedDense)
 * through their per-parameter updaters.
 *
 * <p>A mutable bean (no-arg constructor, getters and setters) so that DL4J's JSON configuration
 * round-trips it; build one with {@link #builder()}. {@link #validate()} checks every value and
 * names the setting and the allowed range.
 */
public class AdapterConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private AdapterKind kind = AdapterKind.HORA;
    private int rank = 8;
    private double alpha = 16;
    private boolean rsLora = false;
    private List<Target> targets = new ArrayList<>(List.of(Target.Q, Target.V));
    private double dropout = 0.0;
    private int seedWidth = 8;
    private int hiddenWidth = 16;
    private Activation activation = Activation.TANH;
    private boolean perHeadOutput = false;
    private HoraInit horaInit = HoraInit.LORA_SCALED;
    private boolean learnableSeeds = true;
    private double generatorLrMultiplier = 1.0;
    private double initScaleA = 1.0;
    private boolean sharedPair = false;
    private long seed = 42;
    private ApplyMode applyMode = ApplyMode.AUTO;

    /** Defaults of docs/METHOD.md: HoRA, r = 8, alpha = 16, targets {Q, V}, e = 8, k = 16, tanh. */
    public AdapterConfig() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.c = copy();
        return b;
    }

    /** The update's scale {@code s = alpha / r}, or {@code alpha / sqrt(r)} with rsLoRA. */
    public double scale() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** True when the adapter adapts {@code t}. */
    public boolean adapts(Target t) {
        return targets.contains(t);
    }

    /**
     * Checks every setting.
     *
     * @return this
     * @throws IllegalArgumentException naming the setting, the value and the allowed range
     */
    public AdapterConfig validate() {
        Objects.requireNonNull(kind, "adapter kind must be set (lora, mh-lora, hora)");
        check(rank >= 1, "rank", rank, "an integer >= 1");
        check(alpha > 0 && Double.isFinite(alpha), "alpha", alpha, "a finite number > 0");
        check(dropout >= 0 && dropout < 1, "dropout", dropout, "[0, 1)");
        check(targets != null && !targets.isEmpty(), "targets", targets,
                "a non-empty subset of {q, k, v, o, intermediate, ffn-output}");
        check(seedWidth >= 1, "seedWidth (HoRA e)", seedWidth, "an integer >= 1");
        check(hiddenWidth >= 1, "hiddenWidth (HoRA k)", hiddenWidth, "an integer >= 1");
        Objects.requireNonNull(activation, "activation must be set");
        Objects.requireNonNull(horaInit, "horaInit must be set");
        check(generatorLrMultiplier > 0 && Double.isFinite(generatorLrMultiplier), "generatorLrMultiplier",
                generatorLrMultiplier, "a finite number > 0");
        check(initScaleA > 0 && Double.isFinite(initScaleA), "initScaleA", initScaleA, "a finite number > 0");
        check(!(sharedPair && perHeadOutput), "sharedPair", sharedPair,
                "false with perHeadOutput (the shared pair uses the per-target output layers)");
        Objects.requireNonNull(applyMode, "applyMode must be set");
        return this;
    }

    private static void check(boolean ok, String name, Object value, String range) {
        dev.hora.util.Checks.check(ok, name, value, range);
    }

    public AdapterConfig copy() {
        AdapterConfig c = new AdapterConfig();
        c.kind = kind;
        c.rank = rank;
        c.alpha = alpha;
        c.rsLora = rsLora;
        c.targets = new ArrayList<>(targets);
        c.dropout = dropout;
        c.seedWidth = seedWidth;
        c.hiddenWidth = hiddenWidth;
        c.activation = activation;
        c.perHeadOutput = perHeadOutput;
        c.horaInit = horaInit;
        c.learnableSeeds = learnableSeeds;
        c.generatorLrMultiplier = generatorLrMultiplier;
        c.initScaleA = initScaleA;
        c.sharedPair = sharedPair;
        c.seed = seed;
        c.applyMode = applyMode;
        return c;
    }

    // ---- bean accessors (used by DL4J's and our JSON) ----

    public AdapterKind getKind() { return kind; }
    public void setKind(AdapterKind kind) { this.kind = kind; }
    public int getRank() { return rank; }
    public void setRank(int rank) { this.rank = rank; }
    public double getAlpha() { return alpha; }
    public void setAlpha(double alpha) { this.alpha = alpha; }
    public boolean isRsLora() { return rsLora; }
    public void setRsLora(boolean rsLora) { this.rsLora = rsLora; }
    /** Adapted projections, distinct, in Target order. */
    public List<Target> getTargets() { return targets; }
    public void setTargets(Collection<Target> targets) { this.targets = normalise(targets); }
    public double getDropout() { return dropout; }
    public void setDropout(double dropout) { this.dropout = dropout; }
    public int getSeedWidth() { return seedWidth; }
    public void setSeedWidth(int seedWidth) { this.seedWidth = seedWidth; }
    public int getHiddenWidth() { return hiddenWidth; }
    public void setHiddenWidth(int hiddenWidth) { this.hiddenWidth = hiddenWidth; }
    public Activation getActivation() { return activation; }
    public void setActivation(Activation activation) { this.activation = activation; }
    public boolean isPerHeadOutput() { return perHeadOutput; }
    public void setPerHeadOutput(boolean perHeadOutput) { this.perHeadOutput = perHeadOutput; }
    public HoraInit getHoraInit() { return horaInit; }
    public void setHoraInit(HoraInit horaInit) { this.horaInit = horaInit; }
    public boolean isLearnableSeeds() { return learnableSeeds; }
    public void setLearnableSeeds(boolean learnableSeeds) { this.learnableSeeds = learnableSeeds; }
    public double getGeneratorLrMultiplier() { return generatorLrMultiplier; }
    public void setGeneratorLrMultiplier(double m) { this.generatorLrMultiplier = m; }
    public double getInitScaleA() { return initScaleA; }
    public void setInitScaleA(double initScaleA) { this.initScaleA = initScaleA; }
    public boolean isSharedPair() { return sharedPair; }
    public void setSharedPair(boolean sharedPair) { this.sharedPair = sharedPair; }
    public long getSeed() { return seed; }
    public void setSeed(long seed) { this.seed = seed; }
    public ApplyMode getApplyMode() { return applyMode; }
    public void setApplyMode(ApplyMode applyMode) { this.applyMode = applyMode; }

    private static List<Target> normalise(Collection<Target> ts) {
        if (ts == null) {
            return null;
        }
        EnumSet<Target> set = EnumSet.noneOf(Target.class);
        for (Target t : ts) {
            set.add(Objects.requireNonNull(t, "targets must not contain null"));
        }
        return new ArrayList<>(set);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AdapterConfig c)) {
            return false;
        }
        return kind == c.kind && rank == c.rank && Double.compare(alpha, c.alpha) == 0
                && rsLora == c.rsLora && Objects.equals(targets, c.targets)
                && Double.compare(dropout, c.dropout) == 0 && seedWidth == c.seedWidth
                && hiddenWidth == c.hiddenWidth && activation == c.activation
                && perHeadOutput == c.perHeadOutput && horaInit == c.horaInit && seed == c.seed
                && learnableSeeds == c.learnableSeeds
                && Double.compare(generatorLrMultiplier, c.generatorLrMultiplier) == 0
                && Double.compare(initScaleA, c.initScaleA) == 0 && sharedPair == c.sharedPair
                && applyMode == c.applyMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, rank, alpha, rsLora, targets, dropout, seedWidth, hiddenWidth,
                activation, perHeadOutput, horaInit, seed, applyMode, learnableSeeds, generatorLrMultiplier,
                initScaleA, sharedPair);
    }

    @Override
    public String toString() {
        return "AdapterConfig{kind=" + kind + ", rank=" + rank + ", alpha=" + alpha + ", rsLora=" + rsLora
                + ", targets=" + targets + ", dropout=" + dropout + ", e=" + seedWidth + ", k=" + hiddenWidth
                + ", activation=" + activation + ", perHeadOutput=" + perHeadOutput + ", horaInit=" + horaInit
                + ", learnableSeeds=" + learnableSeeds + ", generatorLrMultiplier=" + generatorLrMultiplier
                + ", initScaleA=" + initScaleA + ", sharedPair=" + sharedPair
                + ", seed=" + seed + ", applyMode=" + applyMode + "}";
    }

    /** Fluent builder; {@link #build()} validates. */
    public static final class Builder {
        private AdapterConfig c = new AdapterConfig();

        public Builder kind(AdapterKind v) { c.kind = v; return this; }
        public Builder rank(int v) { c.rank = v; return this; }
        public Builder alpha(double v) { c.alpha = v; return this; }
        public Builder rsLora(boolean v) { c.rsLora = v; return this; }
        public Builder targets(Target... v) { c.setTargets(Arrays.asList(v)); return this; }
        public Builder targets(Collection<Target> v) { c.setTargets(v); return this; }
        public Builder dropout(double v) { c.dropout = v; return this; }
        public Builder seedWidth(int v) { c.seedWidth = v; return this; }
        public Builder hiddenWidth(int v) { c.hiddenWidth = v; return this; }
        public Builder activation(Activation v) { c.activation = v; return this; }
        public Builder perHeadOutput(boolean v) { c.perHeadOutput = v; return this; }
        public Builder horaInit(HoraInit v) { c.horaInit = v; return this; }
        public Builder learnableSeeds(boolean v) { c.learnableSeeds = v; return this; }
        public Builder generatorLrMultiplier(double v) { c.generatorLrMultiplier = v; return this; }
        public Builder initScaleA(double v) { c.initScaleA = v; return this; }
        public Builder sharedPair(boolean v) { c.sharedPair = v; return this; }
        public Builder seed(long v) { c.seed = v; return this; }
        public Builder applyMode(ApplyMode v) { c.applyMode = v; return this; }

        /** Validates and returns a copy, so the builder can be reused. */
        public AdapterConfig build() {
            return c.copy().validate();
        }
    }
}
