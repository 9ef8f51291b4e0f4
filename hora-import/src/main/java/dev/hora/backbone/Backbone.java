package dev.hora.backbone;

import dev.hora.adapter.FactorSource.Key;
import dev.hora.adapter.FactorSource.Values;
import dev.hora.config.Target;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The frozen, pretrained trunk of one model family, loaded once and shared by every adapter: it
 * lists its adaptable {@link Site}s and runs forward and backward with the adapter updates passed in
 * per call, so one backbone serves any number of adapters (and rows of different adapters in one
 * batch, {@link AdapterRows}):
 * <pre>
 *   hidden [B S, d] = forward(ids, mask, types [B, S], rows -> adapter updates at sites)
 *   dF (per site: da, db or d(dW)) = backward(pass, dL/dhidden [B S, d])
 * </pre>
 * Immutable and safe to call from many threads at once (each call allocates its own activations in
 * the calling thread's workspaces). Implementations: {@link BertBackbone}. The SameDiff BERT of
 * {@code dev.hora.onnx.bert} is the reference the tests compare a backbone against.
 */
public interface Backbone {

    /** The family's name, e.g. "bert". */
    String family();

    int hiddenSize();

    int numLayers();

    int numHeads();

    DataType dataType();

    /** Every adaptable projection, in layer then role order. */
    List<Site> sites();

    /** The site at (layer, role). @throws IllegalArgumentException naming both when there is none */
    default Site site(int layer, Target role) {
        for (Site s : sites()) {
            if (s.layer() == layer && s.role() == role) {
                return s;
            }
        }
        throw new IllegalArgumentException("no adaptable site at layer " + layer + ", role " + role + " in this "
                + family() + " backbone of " + numLayers() + " layers");
    }

    /**
     * One forward pass.
     *
     * @param train keep what {@link #backward} needs (one segment covering the batch only)
     */
    Pass forward(INDArray ids, INDArray mask, INDArray types, AdapterRows adapters, boolean train, Dropouts dropout);

    /** dL/d(adapter update) at every adapted site of a training pass, from dL/dhidden [B S, d] (overwritten). */
    Map<Key, Values> backward(Pass pass, INDArray dHidden);

    /**
     * A backbone with {@code sign * dW} added to the weights of the given sites (merge: +1, unmerge:
     * -1); the other tensors are shared with this one, nothing of this one changes.
     */
    Backbone withDeltas(Map<Key, INDArray> deltaW, double sign);

    /** What a forward pass produced: hidden [B S, d] and, when training, what the backward needs. */
    interface Pass {
        /** last_hidden_state as rows [B S, d]. */
        INDArray hidden();

        int batch();

        int seq();
    }
}
