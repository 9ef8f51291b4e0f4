package dev.hora.peft;

import dev.hora.adapter.Inits;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The classification head on the pooled encoder output:
 * <pre>
 *   logits        = pooled W + b          pooled [batch, d], W [d, n], b [1, n]   ("logits")
 *   probabilities = softmax(logits)       [batch, n]                              ("probabilities")
 *   loss          = mean_batch CE(labels, logits)   labels one-hot [batch, n]     ("loss")
 * </pre>
 * W starts at N(0, 0.02^2) (as BERT's classifier), b at 0.
 */
public final class ClassifierHead {
    public static final String WEIGHT = "classifier.weight";
    public static final String BIAS = "classifier.bias";
    public static final String LABELS = "labels";
    public static final String LOGITS = "logits";
    public static final String PROBABILITIES = "probabilities";
    public static final String LOSS = "loss";

    private ClassifierHead() {
    }

    /** Initial values of W [d, n] and b [1, n]. */
    public static INDArray[] init(long d, int numClasses, long seed) {
        INDArray w = Inits.normal(Inits.stream(seed, WEIGHT), DataType.FLOAT, d, numClasses).muli(0.02);
        return new INDArray[]{w, Nd4j.zeros(DataType.FLOAT, 1, numClasses)};
    }

    /**
     * Adds the head to {@code sd}; W and b are trainable variables when {@code trainable}, else
     * constants (a merged model).
     */
    public static void build(SameDiff sd, SDVariable pooled, INDArray w, INDArray b, boolean trainable) {
        SDVariable wv = trainable ? sd.var(WEIGHT, w) : sd.constant(WEIGHT, w);
        SDVariable bv = trainable ? sd.var(BIAS, b) : sd.constant(BIAS, b);
        SDVariable logits = pooled.mmul(wv).add(LOGITS, bv);                      // [batch, n]
        sd.nn.softmax(PROBABILITIES, logits, 1);                                   // [batch, n]
        if (trainable) {
            SDVariable labels = sd.placeHolder(LABELS, DataType.FLOAT, -1, w.size(1));
            sd.loss.softmaxCrossEntropy(LOSS, labels, logits, null).markAsLoss();
        }
    }
}
