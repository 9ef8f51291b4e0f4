package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every kernel's hand-derived backward against central finite differences of L = sum(f(x) R) in
 * double precision (relative error <= 1e-6), with padding masks and ragged lengths where they apply.
 */
class KernelGradientTest {
    private static final double TOL = 1e-6;

    private static INDArray rnd(long seed, long... shape) {
        return Nd4j.randn(seed, shape).castTo(DataType.DOUBLE);
    }

    private static double dot(INDArray a, INDArray b) {
        return a.mul(b.reshape(a.shape())).sumNumber().doubleValue();
    }

    @Test
    void layerNorm() {
        INDArray x = rnd(1, 5, 7);
        INDArray gamma = rnd(2, 7);
        INDArray beta = rnd(3, 7);
        INDArray r = rnd(4, 5, 7);
        LayerNorm.Saved s = LayerNorm.forwardInPlace(x.dup(), gamma, beta, 1e-5);
        INDArray dx = LayerNorm.backwardInPlace(r.dup(), gamma, s);
        double err = FiniteDifferences.maxRelError(x, () -> dot(LayerNorm.inferInPlace(x.dup(), gamma, beta, 1e-5), r), dx);
        assertTrue(err < TOL, "LayerNorm: " + err);
    }

    @Test
    void gelu() {
        INDArray z = rnd(5, 4, 9).muli(2);
        INDArray r = rnd(6, 4, 9);
        INDArray dydz = Gelu.forwardInPlace(z.dup(), true);
        INDArray dz = Gelu.backwardInPlace(r.dup(), dydz);
        double err = FiniteDifferences.maxRelError(z, () -> {
            INDArray y = z.dup();
            Gelu.forwardInPlace(y, false);
            return dot(y, r);
        }, dz);
        assertTrue(err < TOL, "GELU: " + err);
    }

    @Test
    void attentionWithPaddingMask() {
        int b = 2, s = 4, heads = 2, d = 6;
        INDArray qkv = rnd(7, (long) b * s, 3L * d);
        INDArray additive = Nd4j.zeros(DataType.DOUBLE, b, s);
        additive.putScalar(1, 3, -1e4);                       // sequence 1 has length 3
        additive.putScalar(1, 2, -1e4);                       // ... and 2: ragged
        INDArray r = rnd(8, (long) b * s, d);
        Attention.Saved sv = Attention.forward(qkv, additive, b, s, heads);
        INDArray dqkv = Attention.backward(r.dup(), sv, qkv, b, s, heads);
        double err = FiniteDifferences.maxRelError(qkv,
                () -> dot(Attention.forward(qkv, additive, b, s, heads).context(), r), dqkv);
        assertTrue(err < TOL, "attention: " + err);
    }

    @Test
    void lowRankOneGroupAndPerHead() {
        for (int g : new int[]{1, 3}) {
            INDArray x = rnd(9, 5, 4);
            INDArray a = rnd(10, g, 4, 2);
            INDArray bb = rnd(11, g, 2, 6 / g);
            INDArray r = rnd(12, 5, 8);                        // y has 8 columns, the block at offset 2
            INDArray y = Nd4j.zeros(DataType.DOUBLE, 5, 8);
            INDArray xa = LowRank.forwardAdd(x, a, bb, y, 2);
            INDArray dx = Nd4j.zeros(DataType.DOUBLE, 5, 4);
            INDArray[] grads = LowRank.backward(x, xa, a, bb, r, 2, dx);
            java.util.function.Supplier<Double> loss = () -> {
                INDArray yy = Nd4j.zeros(DataType.DOUBLE, 5, 8);
                LowRank.forwardAdd(x, a, bb, yy, 2);
                return dot(yy, r);
            };
            assertTrue(FiniteDifferences.maxRelError(a, loss, grads[0]) < TOL, "da, G = " + g);
            assertTrue(FiniteDifferences.maxRelError(bb, loss, grads[1]) < TOL, "db, G = " + g);
            assertTrue(FiniteDifferences.maxRelError(x, loss, dx) < TOL, "dx, G = " + g);
            assertTrue(y.getColumn(0).sumNumber().doubleValue() == 0, "columns outside the block untouched");
        }
    }

    @Test
    void poolingMeanAndCls() {
        INDArray mask = Nd4j.createFromArray(new long[][]{{1, 1, 1}, {1, 1, 0}});
        INDArray h = rnd(13, 6, 4);
        INDArray r = rnd(14, 2, 4);
        for (INDArray m : new INDArray[]{Pooling.meanMatrix(mask, DataType.DOUBLE), Pooling.clsMatrix(2, 3, DataType.DOUBLE)}) {
            INDArray dh = Pooling.backward(m, r);
            double err = FiniteDifferences.maxRelError(h, () -> dot(Pooling.forward(m, h), r), dh);
            assertTrue(err < TOL, "pooling: " + err);
        }
        INDArray mean = Pooling.forward(Pooling.meanMatrix(mask, DataType.DOUBLE), h);
        INDArray expect = h.getRows(3, 4).sum(0).divi(2);     // sequence 1: its 2 real tokens
        assertTrue(mean.getRow(1).equalsWithEps(expect, 1e-12), "masked mean");
    }

    @Test
    void softmaxCrossEntropyHead() {
        INDArray x = rnd(15, 4, 5);
        INDArray w = rnd(16, 5, 3);
        INDArray b = rnd(17, 1, 3);
        INDArray labels = Nd4j.createFromArray(new double[][]{{1, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 0, 1}});
        SoftmaxCrossEntropy.Result res = SoftmaxCrossEntropy.forwardBackward(x, w, b, labels);
        java.util.function.Supplier<Double> loss = () -> SoftmaxCrossEntropy.forwardBackward(x, w, b, labels).loss();
        assertTrue(FiniteDifferences.maxRelError(w, loss, res.dW()) < TOL, "dW");
        assertTrue(FiniteDifferences.maxRelError(b, loss, res.db()) < TOL, "db");
        assertTrue(FiniteDifferences.maxRelError(x, loss, res.dx()) < TOL, "dx");
    }
}
