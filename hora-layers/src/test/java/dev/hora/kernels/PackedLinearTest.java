package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link PackedLinear}: the panel product of few rows against a double-precision x W + b, for row counts
 * around the 4-row blocks, with and without a bias, inside a workspace (the panels are made outside it and
 * survive it); the same bits on 1 and 2 threads on the panels; the BLAS path above {@link PackedLinear#MAX_ROWS} rows and
 * with the Vector API off gives the same values within float rounding.
 */
class PackedLinearTest {
    @AfterEach
    void reset() {
        CpuLoops.forceScalar(false);
        Parallel.threads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void fewRowsMatchADoubleProduct() {
        assertTrue(CpuLoops.vectorOn(), "the tests run with jdk.incubator.vector");
        Nd4j.getRandom().setSeed(3);
        int in = 96;
        int out = 4 * PanelGemm.P;
        INDArray w = Nd4j.rand(DataType.FLOAT, in, out).subi(0.5);
        INDArray b = Nd4j.rand(DataType.FLOAT, out).subi(0.5);
        PackedLinear withBias = new PackedLinear(w, b);
        PackedLinear noBias = new PackedLinear(w, null);
        PackedLinear large = new PackedLinear(w, b);
        large.forward(Nd4j.rand(DataType.FLOAT, PackedLinear.MAX_ROWS + 1, in));
        assertTrue(!large.hasPanels(), "a product of many rows makes no panels");
        for (int round = 0; round < 2; round++) {                  // the panels made in round 0 serve round 1
            try (MemoryWorkspace ws = Workspaces.open("packed-test")) {
                Nd4j.create(DataType.FLOAT, 3, 7);                  // shift the next buffers' offsets
                for (int n : new int[]{1, 3, 4, 7, 12, 13, PackedLinear.MAX_ROWS, PackedLinear.MAX_ROWS + 1}) {
                    INDArray x = Nd4j.rand(DataType.FLOAT, n, in).subi(0.5);
                    check(withBias, x, w, b);
                    check(noBias, x, w, null);
                }
            }
            assertTrue(withBias.hasPanels() && noBias.hasPanels(), "few rows ran on the panels");
        }
    }

    private static void check(PackedLinear lin, INDArray x, INDArray w, INDArray b) {
        int n = (int) x.size(0);
        int in = (int) w.size(0);
        int out = (int) w.size(1);
        float[] xv = x.dup().data().asFloat();
        float[] wv = w.data().asFloat();
        float[] bv = b == null ? null : b.data().asFloat();
        float[][] got = new float[3][];
        int k = 0;
        for (int threads : new int[]{1, 2}) {
            Parallel.threads(threads);
            got[k++] = lin.forward(x).data().asFloat();
        }
        CpuLoops.forceScalar(true);
        got[2] = lin.forward(x).data().asFloat();                   // the BLAS path
        CpuLoops.forceScalar(false);
        if (n <= PackedLinear.MAX_ROWS) {   // the panels sum in one order; the BLAS's row blocks may round differently
            assertArrayEquals(got[0], got[1], n + " rows: 1 and 2 threads");
        }
        for (int g = 0; g < 3; g++) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < out; j++) {
                    double want = bv == null ? 0 : bv[j];
                    for (int kk = 0; kk < in; kk++) {
                        want += (double) xv[i * in + kk] * wv[kk * out + j];
                    }
                    float have = got[g][i * out + j];
                    assertTrue(Math.abs(have - want) <= 1e-5 * (1 + Math.abs(want)), n + " rows, " + (g == 2 ? "BLAS" : "panels")
                            + ", bias " + (b != null) + " at (" + i + ", " + j + "): " + have + " vs " + want);
                }
            }
        }
    }
}
