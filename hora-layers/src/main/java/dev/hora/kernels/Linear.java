package dev.hora.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A dense projection and the parts of its backward that training needs:
 * <pre>
 *   forward         y  = x W + b          x [n, in], W [in, out], b [out] or null  -> y [n, out]
 *   inputGradient   dx = dy W^T (+ dx)    through a frozen W: never dW
 *   weightGradient  dW = x^T dy                     (only for trainable weights: the head, dense dW)
 *   addColumns      W[:, c0 : c0 + n] += dW          (a column block in place, e.g. Q of a fused Q|K|V weight)
 * </pre>
 */
public final class Linear {
    private Linear() {
    }

    /**
     * y = x W + b. On the CPU in float the bias is written first and the GEMM adds to it (beta = 1): one
     * ND4J broadcast op less per projection, which counts at small batches (24 per MiniLM forward).
     */
    public static INDArray forward(INDArray x, INDArray w, INDArray b) {
        if (b != null && CpuLoops.applies(x, w, b)) {
            INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(1));
            CpuLoops.fillRows(y, b);
            StridedGemm.mm(x, false, w, false, y, 1.0);
            return y;
        }
        INDArray y = StridedGemm.mm(x, false, w, false);
        return b == null ? y : Broadcast.addRow(y, b);
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

    /**
     * {@code w[:, col0 : col0 + dw.size(1)] += dw} in place. On the CPU in float a row-by-row loop
     * ({@code CpuLoops}), elsewhere the view's own add. A dense adapter adds its dW to Q and V of every
     * layer on every step: ND4J's add on the strided column view allocates a temporary each time, and
     * the loop lowered the HoRA step's peak memory at batch 8 x 32 from 0.86 to 0.65-0.72 GB. A
     * microbenchmark had the view's add at 1.6-4 ms per 384 x 384 block, but an interleaved A/B of the
     * whole HoRA step showed no measurable change in step time.
     */
    public static void addColumns(INDArray w, long col0, INDArray dw) {
        if (CpuLoops.applies(w, dw)) {
            CpuLoops.addColumns(w, col0, dw);
        } else {
            w.get(NDArrayIndex.all(), NDArrayIndex.interval(col0, col0 + dw.size(1))).addi(dw);
        }
    }
}
