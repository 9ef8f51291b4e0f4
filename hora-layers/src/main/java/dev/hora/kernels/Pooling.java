package dev.hora.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Pooling of token rows into one row per sequence, as one GEMM with a pooling matrix:
 * <pre>
 *   pooled = M h            h [B S, d], M [B, B S] -> pooled [B, d];   dh = M^T dpooled
 *   MEAN: M[b, b S + s] = mask[b, s] / max(sum_s mask[b, s], 1e-9)       CLS: M[b, b S] = 1
 * </pre>
 */
public final class Pooling {
    private Pooling() {
    }

    /** The MEAN pooling matrix [B, B S] of a 0/1 mask [B, S] (any numeric type). */
    public static INDArray meanMatrix(INDArray mask, org.nd4j.linalg.api.buffer.DataType type) {
        int b = (int) mask.size(0);
        int s = (int) mask.size(1);
        // one bulk copy in c order (toDoubleMatrix made a row view and its shape buffers per sequence: ~30 ND4J
        // buffers a training step at batch 8)
        double[] mk = StridedGemm.wholeBuffer(mask).data().asDouble();
        double[] m = new double[b * b * s];
        for (int i = 0; i < b; i++) {
            double count = 0;
            for (int j = 0; j < s; j++) {
                count += mk[i * s + j];
            }
            double inv = 1.0 / Math.max(count, 1e-9);
            for (int j = 0; j < s; j++) {
                m[i * b * s + i * s + j] = mk[i * s + j] * inv;
            }
        }
        return Nd4j.create(m, new long[]{b, (long) b * s}, type);
    }

    /** The CLS pooling matrix [B, B S]: the first token of each sequence. */
    public static INDArray clsMatrix(int batch, int seq, org.nd4j.linalg.api.buffer.DataType type) {
        INDArray m = Nd4j.zeros(type, batch, (long) batch * seq);
        for (int i = 0; i < batch; i++) {
            m.putScalar(i, (long) i * seq, 1.0);
        }
        return m;
    }

    public static INDArray forward(INDArray matrix, INDArray hidden) {
        return StridedGemm.mm(matrix, false, hidden, false);
    }

    public static INDArray backward(INDArray matrix, INDArray dPooled) {
        return StridedGemm.mm(matrix, true, dPooled, false);
    }
}
