package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Sub-matrix GEMM: the native BLAS path and the backend-neutral fallback against ND4J's mmul on
 * explicit copies, for every transpose combination, offsets and leading dimensions, float and
 * double, inside a workspace (buffers with their own offset).
 */
class StridedGemmTest {
    @AfterEach
    void reset() {
        StridedGemm.forceGeneric(false);
    }

    @Test
    void subMatricesMatchMmulOnCopies() {
        for (boolean generic : new boolean[]{false, true}) {
            StridedGemm.forceGeneric(generic);
            for (DataType t : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
                try (MemoryWorkspace ws = Workspaces.open("gemm-test")) {
                    Nd4j.create(t, 3, 7);                                      // shift the next buffers' offsets
                    for (int mask = 0; mask < 4; mask++) {
                        boolean ta = (mask & 1) != 0;
                        boolean tb = (mask & 2) != 0;
                        check(t, ta, tb, generic);
                    }
                }
            }
        }
    }

    private static void check(DataType t, boolean ta, boolean tb, boolean generic) {
        int m = 3, n = 4, k = 5;
        INDArray a = Nd4j.rand(t, 9, 12);         // op(a) is the block at rows 1.., columns 2..
        INDArray b = Nd4j.rand(t, 8, 10);
        INDArray c = Nd4j.rand(t, 6, 11);
        INDArray aBlock = a.get(NDArrayIndex.interval(1, 1 + (ta ? k : m)), NDArrayIndex.interval(2, 2 + (ta ? m : k))).dup();
        INDArray bBlock = b.get(NDArrayIndex.interval(2, 2 + (tb ? n : k)), NDArrayIndex.interval(3, 3 + (tb ? k : n))).dup();
        INDArray cBefore = c.get(NDArrayIndex.interval(1, 1 + m), NDArrayIndex.interval(4, 4 + n)).dup();
        INDArray expect = (ta ? aBlock.transpose() : aBlock).mmul(tb ? bBlock.transpose() : bBlock).muli(0.5)
                .addi(cBefore.mul(2.0));
        INDArray cCopy = c.dup();
        StridedGemm.gemm(ta, tb, m, n, k, 0.5, a, 12 + 2, 12, b, 2 * 10 + 3, 10, 2.0, c, 11 + 4, 11);
        INDArray got = c.get(NDArrayIndex.interval(1, 1 + m), NDArrayIndex.interval(4, 4 + n));
        assertTrue(got.equalsWithEps(expect, 1e-5), "ta " + ta + " tb " + tb + " generic " + generic + " " + t);
        c.get(NDArrayIndex.interval(1, 1 + m), NDArrayIndex.interval(4, 4 + n)).assign(cBefore);
        assertTrue(c.equalsWithEps(cCopy, 0), "only the C block changes");
    }
}
