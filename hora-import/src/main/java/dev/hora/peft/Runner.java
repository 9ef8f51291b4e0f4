package dev.hora.peft;

import dev.hora.onnx.bert.Pooling;
import dev.hora.train.Objective;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What an {@link Engine} does for a {@link PeftModel}, chosen once when the model is built: runs the
 * backbone with the adapters named per row group, and gives the training objective of one adapter.
 * <pre>
 *   out [B, width] (or [B, S, d]) = run(what, ids, mask, types [B, S], groups: rows [from, to) -> adapter or none)
 * </pre>
 * Implementations: {@link KernelRunner} (the kernel engines) and {@link SameDiffRunner} (the reference).
 */
interface Runner {
    /** Which output a call returns. */
    enum Output { PROBABILITIES, POOLED, HIDDEN }

    /** Rows {@code [from, to)} of the batch run with {@code adapter} (null: the base model). */
    record Group(AdapterSet adapter, int from, int to) {
    }

    /**
     * @param basePooling pooling of the rows with no adapter
     */
    INDArray run(Output what, INDArray ids, INDArray mask, INDArray types, List<Group> groups, Pooling basePooling);

    /** The loss and gradients of {@code adapter}'s trainable tensors. */
    Objective objective(AdapterSet adapter);

    /** Width of one row of {@code what} for a group; the head's classes must agree across a mixed batch. */
    static int width(Output what, List<Group> groups, int hidden) {
        if (what != Output.PROBABILITIES) {
            return hidden;
        }
        int n = -1;
        for (Group g : groups) {
            if (g.adapter() == null || g.adapter().numClasses() == 0) {
                throw new IllegalArgumentException("probabilities need a classification head: "
                        + (g.adapter() == null ? "the base model (no adapter)" : "adapter '" + g.adapter().name() + "'")
                        + " has none");
            }
            if (n >= 0 && g.adapter().numClasses() != n) {
                throw new IllegalArgumentException("a mixed batch's adapters must have heads of one size: "
                        + n + " and " + g.adapter().numClasses() + " classes ('" + g.adapter().name() + "')");
            }
            n = g.adapter().numClasses();
        }
        return n;
    }
}
