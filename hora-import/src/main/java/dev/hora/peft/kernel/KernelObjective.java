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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One adapter's classifier objective on the kernel path, one step:
 * <pre>
 *   F = factors.forward()                            the adapter's factors (or dW): FactorKernels or FactorGraph
 *                                                    (FactorKernels: F, dF and their temporaries in Workspaces.FACTORS)
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
        if (!(factors instanceof FactorKernels)) {
            return lossAndGradients(batch, null);
        }
        // the factor kernels' arrays of this step (dW, its gradient, temporaries) in a workspace reused step after
        // step; only the parameter gradients handed to the trainer leave it
        try (MemoryWorkspace fw = Workspaces.open(Workspaces.FACTORS)) {
            Result r = lossAndGradients(batch, fw);
            Map<String, INDArray> grads = new LinkedHashMap<>();
            r.gradients().forEach((n, g) -> grads.put(n, g.detach()));
            return new Result(r.loss(), grads);
        }
    }

    /** One step; {@code factorWs}: the open workspace the factor kernels allocate in, or null (none). */
    private Result lossAndGradients(Map<String, INDArray> batch, MemoryWorkspace factorWs) {
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
            dF = factors == null ? Map.of() : pass.factorGradients(r.dx(), factorWs);
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
}
