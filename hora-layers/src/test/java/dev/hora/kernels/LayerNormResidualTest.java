package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** LN(x + residual) in one pass against the sum formed first and normed by the plain layer norm. */
class LayerNormResidualTest {

    @Test
    void theFusedSumAndNormEqualsAddingFirst() {
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, 37, 48);
        INDArray r = Nd4j.randn(DataType.FLOAT, 37, 48).muli(3);
        INDArray rBefore = r.dup();
        INDArray g = Nd4j.rand(DataType.FLOAT, 48).addi(0.5);
        INDArray b = Nd4j.randn(DataType.FLOAT, 48);
        INDArray want = LayerNorm.inferInPlace(x.add(r), g, b, 1e-5);
        INDArray got = LayerNorm.inferInPlace(x.dup(), r, g, b, 1e-5);
        assertEquals(0, want.sub(got).amaxNumber().doubleValue(), 1e-5, "inference");
        LayerNorm.Saved w = LayerNorm.forwardInPlace(x.add(r), g, b, 1e-5);
        LayerNorm.Saved s = LayerNorm.forwardInPlace(x.dup(), r, g, b, 1e-5);
        assertEquals(0, w.y().sub(s.y()).amaxNumber().doubleValue(), 1e-5, "training: y");
        assertEquals(0, w.xhat().sub(s.xhat()).amaxNumber().doubleValue(), 1e-5, "training: xhat");
        assertEquals(0, w.rstd().sub(s.rstd()).amaxNumber().doubleValue(), 1e-5, "training: rstd");
        assertEquals(rBefore, r, "the residual is read, not written");
    }
}
