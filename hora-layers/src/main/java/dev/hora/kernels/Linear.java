package dev.hora.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dense projection and the parts of its backward that training needs:
 * <pre>
 *   forward         y  = x W + b          x [n, in], W [in, out], b [out] or null  -> y [n, out]
 *   inputGradient   dx = dy W^T (+ dx)    through a frozen W: never dW
 *   weightGradient  dW = x^T dy, db = sum_n dy      (only for trainable weights: the head, dense dW)
 * </pre>
 */
public final class Linear {
    private Linear() {
    }

    public static INDArray forward(INDArray x, INDArray w, INDArray b) {
        INDArray y = StridedGemm.mm(x, false, w, false);
        return b == null ? y : y.addiRowVector(b);
    }

    /** dx = dy W^T; with {@code into} non-null, accumulated into it ({@code into += dy W^T}). */
    public static INDArray inputGradient(INDArray dy, INDArray w, INDArray into) {
        if (into == null) {
            return StridedGemm.mm(dy, false, w, true);
        }
        StridedGemm.mm(dy, false, w, true, into, 1.0);
        return into;
    }

    /** dW = x^T dy [in, out]. */
    public static INDArray weightGradient(INDArray x, INDArray dy) {
        return StridedGemm.mm(x, true, dy, false);
    }

    /** db = sum over rows of dy, [out]. */
    public static INDArray biasGradient(INDArray dy) {
        return dy.sum(0);
    }
}
