package dev.hora.finetune;

import dev.hora.metrics.ClassificationReport;
import dev.hora.train.SameDiffTrainer;
import java.util.List;

/** What the {@link Finetuner} loop drives: batches, optimizer steps and evaluation of one run. */
interface TrainingTask {
    /** The trainer whose state is checkpointed (trainable names = the model's). */
    SameDiffTrainer trainer();

    /** Example indices of each batch of an epoch (seeded: the same on resume). */
    List<int[]> batches(int epoch);

    /** One optimizer step on these training examples; returns the loss. */
    float step(int[] idx);

    /** Accuracy, macro-F1 and confusion matrix on the test set. */
    ClassificationReport evaluate();

    /**
     * True when a step runs the encoder on the SameDiff engine: then the loop collects garbage before
     * each step (each such step leaves ~100 MB+ of native buffers behind tiny Java wrappers). The kernel
     * engine plans its memory (workspaces) and head-only steps allocate little: neither collects.
     */
    default boolean collectsGarbage() {
        return false;
    }

    /** Leaves the trained values in the PeftModel (the probe trains a copy of the head). */
    default void finish() {
    }

    /** One-hot labels [b, n] of the given examples. */
    static org.nd4j.linalg.api.ndarray.INDArray oneHot(dev.hora.data.TextDataset data, int[] idx) {
        org.nd4j.linalg.api.ndarray.INDArray labels = org.nd4j.linalg.factory.Nd4j.zeros(
                org.nd4j.linalg.api.buffer.DataType.FLOAT, idx.length, data.numClasses());
        for (int i = 0; i < idx.length; i++) {
            labels.putScalar(i, data.examples().get(idx[i]).label(), 1f);
        }
        return labels;
    }
}
