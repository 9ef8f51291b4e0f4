package dev.hora.fit;

import dev.hora.metrics.ClassificationReport;
import dev.hora.train.Trainer;
import java.util.List;

/** What the {@link Fit} loop drives: batches, optimizer steps and evaluation of one adapter. */
interface TrainingTask {
    /** The trainer whose state is checkpointed (trainable names = the model's). */
    Trainer trainer();

    /** Example indices of each batch of an epoch (seeded: the same on resume). */
    List<int[]> batches(int epoch);

    /** One optimizer step on these training examples; returns the loss. */
    float step(int[] idx);

    /** Accuracy, macro-F1 and confusion matrix of the current parameters on {@code data} (validation or test). */
    ClassificationReport evaluate(dev.hora.data.TextDataset data);

    /** Copies {@code params} (names and shapes as {@code trainer().params()}) into the trained variables. */
    default void restoreParams(java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> params) {
        trainer().setParams(params);
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
