package dev.hora.peft.kernel;

import dev.hora.adapter.FactorSource;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.backbone.AdapterRows;
import dev.hora.backbone.Backbone;
import dev.hora.backbone.Dropouts;
import dev.hora.kernels.Pooling;
import dev.hora.kernels.Workspaces;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One adapter's pass through the frozen encoder on the kernel engine, in the two halves a training
 * step has (the kernel objective runs both in one workspace; the DL4J layer runs the forward in
 * {@code activate} and the backward in {@code backpropGradient}):
 * <pre>
 *   forward:   h = backbone.forward(ids, mask, types, F)        [T = B S, d]
 *              out = M h  (M the pooling matrix [B, T] of MEAN or CLS)   or  out = h  (no pooling)
 *   backward:  dF = backbone.backward(M^T dOut)   (or dOut itself)     per adapted site, detached
 * </pre>
 * The arrays of the pass live in the workspace that is current during {@link #forward} (or on the
 * heap when none is); it must stay open until {@link #factorGradients} has run.
 */
public final class EncoderPass {
    private final Backbone backbone;
    private final Backbone.Pass pass;
    private final INDArray poolingMatrix;
    private final INDArray output;

    private EncoderPass(Backbone backbone, Backbone.Pass pass, INDArray poolingMatrix, INDArray output) {
        this.backbone = backbone;
        this.pass = pass;
        this.poolingMatrix = poolingMatrix;
        this.output = output;
    }

    /**
     * @param factors  the adapter's factors (or dW) per site, as {@link FactorSource#forward()} gives them
     * @param ids, mask, types  [B, S]
     * @param pooling  MEAN or CLS: the output is the pooled [B, d]; NONE: the hidden states [B S, d]
     * @param train    keep what {@link #factorGradients} needs
     */
    public static EncoderPass forward(Backbone backbone, Map<Key, FactorSource.Values> factors, INDArray ids,
                                      INDArray mask, INDArray types, dev.hora.onnx.bert.Pooling pooling,
                                      boolean train, Dropouts dropout) {
        Backbone.Pass pass = backbone.forward(ids, mask, types, AdapterRows.all(factors), train, dropout);
        INDArray m = switch (pooling) {
            case MEAN -> Pooling.meanMatrix(mask, backbone.dataType());
            case CLS -> Pooling.clsMatrix((int) mask.size(0), (int) mask.size(1), backbone.dataType());
            case NONE -> null;
        };
        return new EncoderPass(backbone, pass, m, m == null ? pass.hidden() : Pooling.forward(m, pass.hidden()));
    }

    /** The pooled output [B, d], or the hidden states [B S, d] without pooling. */
    public INDArray output() {
        return output;
    }

    /**
     * The gradient of every adapted site's factors (or dW) from dL/dOutput (same shape as
     * {@link #output()}; overwritten without pooling), detached from every workspace.
     */
    public Map<Key, FactorSource.Values> factorGradients(INDArray dOutput) {
        return factorGradients(dOutput, null);
    }

    /**
     * As {@link #factorGradients(INDArray)}, the gradients moved into the open workspace {@code into} (e.g. a training
     * step's {@link dev.hora.kernels.Workspaces#FACTORS}, which must enclose this pass's), or detached when it is null.
     */
    public Map<Key, FactorSource.Values> factorGradients(INDArray dOutput, MemoryWorkspace into) {
        INDArray dHidden = poolingMatrix == null ? dOutput : Pooling.backward(poolingMatrix, dOutput);
        Map<Key, FactorSource.Values> dF = new LinkedHashMap<>();
        backbone.backward(pass, dHidden).forEach((k, g) -> dF.put(k, new FactorSource.Values(g.mode(),
                Workspaces.keep(g.a(), into), Workspaces.keep(g.b(), into), Workspaces.keep(g.deltaW(), into))));
        return dF;
    }
}
