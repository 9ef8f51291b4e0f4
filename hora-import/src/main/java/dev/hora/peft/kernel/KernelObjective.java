package dev.hora.peft.kernel;

import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.kernels.Pooling;
import dev.hora.kernels.SoftmaxCrossEntropy;
import dev.hora.kernels.Timer;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.peft.ClassifierHead;
import dev.hora.train.Objective;
import dev.hora.util.QuietStdout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The classifier's training objective on the kernel path, one step:
 * <pre>
 *   F = factors.forward()                            adapters' factors (or dW): FactorKernels or FactorGraph
 *   in one workspace:  h = encoder.forward(batch, F)  -> pooled = M h -> (loss, dW_c, db_c, dpooled)
 *                      dF = encoder.backward(M^T dpooled)
 *   dtheta = factors.backward(dF)                     chain rule back to the adapter parameters
 * </pre>
 * Parameters: the live adapter and head arrays ({@code adapter.layer.<l>.<p>}, {@code classifier.*}).
 */
public final class KernelObjective implements Objective {
    private final KernelEncoder encoder;
    private final FactorSource factors;
    private final Map<String, INDArray> parameters;
    private final String headWeight;
    private final String headBias;
    private final boolean meanPooling;
    private boolean quiet;
    private Dropouts dropout = Dropouts.NONE;
    private final double dropoutP;
    private final long dropoutSeed;

    /**
     * @param factors    the adapters' factors ({@link dev.hora.adapter.FactorKernels} or the SameDiff
     *                   {@link dev.hora.adapter.FactorGraph}), or null (only the head trains)
     * @param parameters live arrays: the factor source's parameters, then the head's
     */
    public KernelObjective(KernelEncoder encoder, FactorSource factors, Map<String, INDArray> parameters,
                           String headWeight, String headBias, boolean meanPooling) {
        this(encoder, factors, parameters, headWeight, headBias, meanPooling, 0, 0);
    }

    /** With adapter dropout p (training steps only; masks from (seed, step)). */
    public KernelObjective(KernelEncoder encoder, FactorSource factors, Map<String, INDArray> parameters,
                           String headWeight, String headBias, boolean meanPooling, double dropoutP, long dropoutSeed) {
        this.dropoutP = dropoutP;
        this.dropoutSeed = dropoutSeed;
        this.encoder = encoder;
        this.factors = factors;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.headWeight = headWeight;
        this.headBias = headBias;
        this.meanPooling = meanPooling;
    }

    @Override
    public void beginStep(int iteration) {
        dropout = dropoutP > 0 ? new Dropouts(dropoutP, dropoutSeed, iteration) : Dropouts.NONE;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    /** The pooling matrix [B, B S] of a batch. */
    INDArray poolingMatrix(INDArray mask) {
        return meanPooling ? Pooling.meanMatrix(mask, encoder.dataType())
                : Pooling.clsMatrix((int) mask.size(0), (int) mask.size(1), encoder.dataType());
    }

    /** batch: input_ids, attention_mask, token_type_ids [B, S] and labels [B, n] one-hot. */
    @Override
    public Result lossAndGradients(Map<String, INDArray> batch) {
        Timer.start();
        Map<Key, FactorSource.Values> f = factors == null ? Map.of() : factors.forward();
        Timer.lap("factors.forward");
        INDArray ids = batch.get(BertEncoder.INPUT_IDS);
        INDArray mask = batch.get(BertEncoder.ATTENTION_MASK);
        INDArray labels = batch.get(ClassifierHead.LABELS).castTo(encoder.dataType());
        Map<Key, FactorSource.Values> dF = new LinkedHashMap<>();
        Map<String, INDArray> grads = new LinkedHashMap<>();
        double loss;
        try (MemoryWorkspace ws = Workspaces.open(Workspaces.TRAIN)) {
            KernelEncoder.Pass pass = encoder.forward(ids, mask, batch.get(BertEncoder.TOKEN_TYPE_IDS), f, true, dropout);
            INDArray m = poolingMatrix(mask);
            INDArray pooled = Pooling.forward(m, pass.hidden());
            SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.forwardBackward(pooled, parameters.get(headWeight),
                    parameters.get(headBias), labels);
            loss = r.loss();
            Timer.lap("head");
            grads.put(headWeight, r.dW().detach());
            grads.put(headBias, r.db().reshape(parameters.get(headBias).shape()).detach());
            if (factors != null) {
                encoder.backward(pass, Pooling.backward(m, r.dx())).forEach((k, g) -> dF.put(k,
                        new FactorSource.Values(g.mode(), detach(g.a()), detach(g.b()), detach(g.deltaW()))));
            }
        }
        Timer.lap("workspace close");
        if (factors != null) {
            Map<String, INDArray> pg = quiet ? factors.backward(dF) : QuietStdout.call(() -> factors.backward(dF));
            quiet = true;
            Timer.lap("factors.backward");
            Map<String, INDArray> all = new LinkedHashMap<>(pg);
            all.putAll(grads);
            grads = all;
        }
        return new Result(loss, grads);
    }

    private static INDArray detach(INDArray a) {
        return a == null ? null : a.detach();
    }

    /** Class probabilities [B, n] (inference, no saved activations). */
    public INDArray probabilities(INDArray ids, INDArray mask, INDArray types) {
        return infer(ids, mask, types, pass -> SoftmaxCrossEntropy.probabilities(pooled(pass, mask),
                parameters.get(headWeight), parameters.get(headBias)));
    }

    /** Pooled encoder output [B, d]. */
    public INDArray pooled(INDArray ids, INDArray mask, INDArray types) {
        return infer(ids, mask, types, pass -> pooled(pass, mask));
    }

    /** last_hidden_state [B, S, d]. */
    public INDArray lastHiddenState(INDArray ids, INDArray mask, INDArray types) {
        return infer(ids, mask, types, pass -> pass.hidden().reshape(pass.batch(), pass.seq(),
                encoder.config().hiddenSize()));
    }

    private INDArray pooled(KernelEncoder.Pass pass, INDArray mask) {
        return Pooling.forward(poolingMatrix(mask), pass.hidden());
    }

    /** One inference pass in the inference workspace; {@code out} of it is detached. */
    private INDArray infer(INDArray ids, INDArray mask, INDArray types,
                           java.util.function.Function<KernelEncoder.Pass, INDArray> out) {
        Map<Key, FactorSource.Values> f = factors == null ? Map.of() : factors.forward();
        try (MemoryWorkspace ws = Workspaces.open(Workspaces.INFER)) {
            return out.apply(encoder.forward(ids, mask, types, f, false)).detach();
        }
    }
}
