package dev.hora.peft.kernel;

import dev.hora.adapter.FactorKernels;
import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.backbone.Backbone;
import dev.hora.backbone.Dropouts;
import dev.hora.kernels.SoftmaxCrossEntropy;
import dev.hora.kernels.Timer;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.peft.ClassifierHead;
import dev.hora.train.Objective;
import dev.hora.util.QuietStdout;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One adapter's classifier objective on the kernel path, one step:
 * <pre>
 *   F = factors.forward()                            the adapter's factors (or dW): FactorKernels or FactorGraph
 *   in one workspace:  h = backbone.forward(batch, F)  -> pooled = M h -> (loss, dW_c, db_c, dpooled)
 *                      dF = backbone.backward(M^T dpooled)
 *   dtheta = factors.backward(dF)                     chain rule back to the adapter parameters
 * </pre>
 * Parameters: the adapter's live trainable arrays ({@code adapter.layer.<l>.<p>}, {@code classifier.*});
 * after the trainer writes them, {@code onChange} runs (the adapter drops its cached inference factors).
 */
public final class KernelObjective implements Objective {
    private final Backbone backbone;
    private final FactorSource factors;
    private final Map<String, INDArray> parameters;
    private final Map<String, Double> lrMultipliers;
    private final boolean meanPooling;
    private final double dropoutP;
    private final long dropoutSeed;
    private final Runnable onChange;
    private boolean quiet;
    private Dropouts dropout = Dropouts.NONE;

    /**
     * @param factors    the adapter's factors ({@link dev.hora.adapter.FactorKernels} or the SameDiff
     *                   {@link dev.hora.adapter.FactorGraph}), or null (only the head trains)
     * @param parameters live trainable arrays: the factor source's, then {@code classifier.weight, classifier.bias}
     * @param dropoutP   adapter dropout (training steps only; masks from (dropoutSeed, step))
     */
    public KernelObjective(Backbone backbone, FactorSource factors, Map<String, INDArray> parameters,
                           Map<String, Double> lrMultipliers, boolean meanPooling, double dropoutP, long dropoutSeed,
                           Runnable onChange) {
        this.backbone = backbone;
        this.factors = factors;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.lrMultipliers = Map.copyOf(lrMultipliers);
        this.meanPooling = meanPooling;
        this.dropoutP = dropoutP;
        this.dropoutSeed = dropoutSeed;
        this.onChange = onChange;
        this.quiet = !(factors instanceof dev.hora.adapter.FactorGraph);   // only SameDiff prints on its first gradient
    }

    @Override
    public void beginStep(int iteration) {
        dropout = dropoutP > 0 ? new Dropouts(dropoutP, dropoutSeed, iteration) : Dropouts.NONE;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    @Override
    public Map<String, Double> lrMultipliers() {
        return lrMultipliers;
    }

    @Override
    public void parametersChanged() {
        onChange.run();
    }

    /** batch: input_ids, attention_mask, token_type_ids [B, S] and labels [B, n] one-hot. */
    @Override
    public Result lossAndGradients(Map<String, INDArray> batch) {
        Timer.start();
        Map<Key, FactorSource.Values> f = factors == null ? Map.of() : factors.forward();
        Timer.lap("factors.forward");
        INDArray ids = batch.get(BertEncoder.INPUT_IDS);
        INDArray mask = batch.get(BertEncoder.ATTENTION_MASK);
        INDArray labels = batch.get(ClassifierHead.LABELS).castTo(backbone.dataType());
        INDArray headW = parameters.get(ClassifierHead.WEIGHT);
        INDArray headB = parameters.get(ClassifierHead.BIAS);
        Map<Key, FactorSource.Values> dF;
        Map<String, INDArray> grads = new LinkedHashMap<>();
        double loss;
        try (MemoryWorkspace ws = Workspaces.open(Workspaces.TRAIN)) {
            EncoderPass pass = EncoderPass.forward(backbone, f, ids, mask, batch.get(BertEncoder.TOKEN_TYPE_IDS),
                    meanPooling ? dev.hora.onnx.bert.Pooling.MEAN : dev.hora.onnx.bert.Pooling.CLS, true, dropout);
            SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.forwardBackward(pass.output(), headW, headB, labels);
            loss = r.loss();
            Timer.lap("head");
            grads.put(ClassifierHead.WEIGHT, r.dW().detach());
            grads.put(ClassifierHead.BIAS, r.db().reshape(headB.shape()).detach());
            dF = factors == null ? Map.of() : pass.factorGradients(r.dx());
        }
        if (factors instanceof FactorKernels) {
            closeDense(f, List.of());   // this step's dW (made by the generator, read only by the pass above)
        }
        Timer.lap("workspace close");
        if (factors != null) {
            Map<String, INDArray> pg = quiet ? factors.backward(dF) : QuietStdout.call(() -> factors.backward(dF));
            quiet = true;
            closeDense(dF, pg.values());
            Timer.lap("factors.backward");
            Map<String, INDArray> all = new LinkedHashMap<>(pg);
            all.putAll(grads);
            grads = all;
        }
        return new Result(loss, grads);
    }

    /**
     * Frees the step's dense dW arrays ([d_in, d_out] per site, 7 MB a step each for HoRA on q, v of MiniLM: the
     * generator's dW, and the gradients detached from the training workspace) once they are used, instead of
     * leaving their native memory to the garbage collector; an array handed on (a parameter gradient) is kept.
     */
    private static void closeDense(Map<Key, FactorSource.Values> values, Collection<INDArray> handedOn) {
        Set<INDArray> keep = Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(handedOn);
        for (FactorSource.Values v : values.values()) {
            INDArray d = v.deltaW();
            if (d != null && !keep.contains(d) && d.closeable()) {
                d.close();
            }
        }
    }
}
