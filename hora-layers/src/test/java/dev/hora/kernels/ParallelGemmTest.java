package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link Parallel}'s split GEMMs: row blocks of C (every transpose, sub-matrices with offsets and
 * leading dimensions, uneven block sizes) and split batches give the single-call result, and each
 * split really happens (the work is above {@link Parallel#MIN_GEMM_WORK}).
 */
class ParallelGemmTest {
    private static final int DEFAULT = Parallel.threads();

    @AfterEach
    void reset() {
        Parallel.threads(DEFAULT);
    }

    @Test
    void rowBlocksEqualOneCall() {
        int m = 67, n = 131, k = 149;                                  // 1.3M multiply-adds, odd sizes
        assertTrue((long) m * n * k >= Parallel.MIN_GEMM_WORK);
        for (DataType t : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (int mask = 0; mask < 4; mask++) {
                boolean ta = (mask & 1) != 0;
                boolean tb = (mask & 2) != 0;
                INDArray a = Nd4j.rand(t, 160, 170);
                INDArray b = Nd4j.rand(t, 160, 170);
                INDArray c0 = Nd4j.rand(t, 80, 140);
                INDArray one = c0.dup();
                INDArray split = c0.dup();
                Parallel.threads(1);
                StridedGemm.gemm(ta, tb, m, n, k, 0.5, a, 170 + 3, 170, b, 2 * 170 + 1, 170, 1.5, one, 140 * 4 + 2, 140);
                for (int threads : new int[]{2, 3}) {
                    Parallel.threads(threads);
                    assertEquals(threads, Parallel.parts(m, (long) n * k));
                    INDArray c = split.dup();
                    StridedGemm.gemm(ta, tb, m, n, k, 0.5, a, 170 + 3, 170, b, 2 * 170 + 1, 170, 1.5, c, 140 * 4 + 2, 140);
                    double tol = t == DataType.FLOAT ? 1e-4 : 1e-12;
                    assertTrue(c.equalsWithEps(one, tol), t + " ta " + ta + " tb " + tb + " threads " + threads);
                }
                INDArray aBlock = a.get(NDArrayIndex.interval(1, 1 + (ta ? k : m)), NDArrayIndex.interval(3, 3 + (ta ? m : k))).dup();
                INDArray bBlock = b.get(NDArrayIndex.interval(2, 2 + (tb ? n : k)), NDArrayIndex.interval(1, 1 + (tb ? k : n))).dup();
                INDArray expect = (ta ? aBlock.transpose() : aBlock).mmul(tb ? bBlock.transpose() : bBlock).muli(0.5)
                        .addi(c0.get(NDArrayIndex.interval(4, 4 + m), NDArrayIndex.interval(2, 2 + n)).mul(1.5));
                INDArray got = one.get(NDArrayIndex.interval(4, 4 + m), NDArrayIndex.interval(2, 2 + n));
                assertTrue(got.equalsWithEps(expect, t == DataType.FLOAT ? 1e-3 : 1e-10), "vs mmul " + t + " " + mask);
            }
        }
    }

    @Test
    void columnBlocksOfAFewRowsEqualOneCall() {
        int m = 12, n = 403, k = 301;                                  // 1.5M multiply-adds, 12 rows: a column split
        for (DataType t : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (int mask = 0; mask < 4; mask++) {
                boolean ta = (mask & 1) != 0;
                boolean tb = (mask & 2) != 0;
                INDArray a = Nd4j.rand(t, 320, 330);
                INDArray b = Nd4j.rand(t, 420, 430);
                INDArray c0 = Nd4j.rand(t, 20, 420);
                Parallel.threads(1);
                INDArray one = c0.dup();
                StridedGemm.gemm(ta, tb, m, n, k, 0.5, a, 330 + 3, 330, b, 2 * 430 + 1, 430, 1.5, one, 420 * 4 + 2, 420);
                for (int threads : new int[]{2, 3}) {
                    Parallel.threads(threads);
                    assertEquals(threads, StridedGemm.columnParts(m, n, k));
                    INDArray c = c0.dup();
                    StridedGemm.gemm(ta, tb, m, n, k, 0.5, a, 330 + 3, 330, b, 2 * 430 + 1, 430, 1.5, c, 420 * 4 + 2, 420);
                    double tol = t == DataType.FLOAT ? 1e-4 : 1e-12;
                    assertTrue(c.equalsWithEps(one, tol), t + " ta " + ta + " tb " + tb + " threads " + threads);
                }
                assertEquals(1, StridedGemm.columnParts(StridedGemm.COLUMN_SPLIT_ROWS, n, k));
            }
        }
    }

    @Test
    void splitBatchEqualsOneThread() {
        int count = 7, m = 50, n = 60, k = 60;                         // 7 x 180k multiply-adds
        INDArray a = Nd4j.rand(DataType.FLOAT, count * m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, count * k, n);
        long[] offA = new long[count], offB = new long[count], offC = new long[count];
        for (int i = 0; i < count; i++) {
            offA[i] = (long) i * m * k;
            offB[i] = (long) i * k * n;
            offC[i] = (long) i * m * n;
        }
        INDArray one = Nd4j.zeros(DataType.FLOAT, count * m, n);
        Parallel.threads(1);
        StridedGemm.batch(false, false, m, n, k, 1, a, offA, k, b, offB, n, 0, one, offC, n);
        Parallel.threads(2);
        assertEquals(2, Parallel.parts(count, (long) m * n * k));
        INDArray two = Nd4j.zeros(DataType.FLOAT, count * m, n);
        StridedGemm.batch(false, false, m, n, k, 1, a, offA, k, b, offB, n, 0, two, offC, n);
        assertTrue(two.equalsWithEps(one, 1e-4));
        for (int i = 0; i < count; i++) {
            INDArray expect = a.get(NDArrayIndex.interval(i * m, (i + 1) * m), NDArrayIndex.all())
                    .mmul(b.get(NDArrayIndex.interval(i * k, (i + 1) * k), NDArrayIndex.all()));
            assertTrue(one.get(NDArrayIndex.interval(i * m, (i + 1) * m), NDArrayIndex.all()).equalsWithEps(expect, 1e-3),
                    "batch item " + i);
        }
    }
}
