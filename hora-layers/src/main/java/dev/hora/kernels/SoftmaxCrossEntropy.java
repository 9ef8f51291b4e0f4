package dev.hora.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The classification head and its loss, with the gradients of its trainable W, b:
 * <pre>
 *   logits = x W + b       x [B, d], W [d, n], b [1, n]
 *   p = softmax(logits),   loss = -(1/B) sum_b sum_j y_bj log p_bj          y one-hot [B, n]
 *   dlogits = (p - y) / B,  dW = x^T dlogits,  db = sum_b dlogits,  dx = dlogits W^T
 * </pre>
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /** Probabilities, loss and gradients of one batch. */
    public record Result(INDArray probs, double loss, INDArray dW, INDArray db, INDArray dx) {
    }

    /** Probabilities [B, n] only (inference). */
    public static INDArray probabilities(INDArray x, INDArray w, INDArray b) {
        INDArray logits = Linear.forward(x, w, b);
        Nd4j.exec(new SoftMax(logits, logits, 1));
        return logits;
    }

    public static Result forwardBackward(INDArray x, INDArray w, INDArray b, INDArray labels) {
        INDArray p = probabilities(x, w, b);
        long batch = x.size(0);
        INDArray logp = Transforms.log(p, true);
        double loss = -logp.muli(labels).sumNumber().doubleValue() / batch;
        INDArray dlogits = p.sub(labels).divi(batch);
        return new Result(p, loss, Linear.weightGradient(x, dlogits), dlogits.sum(true, 0),
                Linear.inputGradient(dlogits, w, null));
    }
}
