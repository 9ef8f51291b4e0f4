package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The CPU float loops against the portable ND4J-op path of the same kernels (which the double
 * finite-difference tests check), inside a workspace, on odd sizes (rows split over threads).
 */
class CpuLoopsTest {
    @AfterEach
    void reset() {
        StridedGemm.forceGeneric(false);
        CpuLoops.forceScalar(false);
    }

    /** Runs f on the loop path and on the portable path; max abs difference. */
    private static double diff(Supplier<INDArray[]> f) {
        StridedGemm.forceGeneric(false);
        assertTrue(CpuLoops.applies(Nd4j.zeros(DataType.FLOAT, 1)), "loop path active on the CPU backend");
        INDArray[] fast = f.get();
        StridedGemm.forceGeneric(true);
        INDArray[] ref = f.get();
        StridedGemm.forceGeneric(false);
        double worst = 0;
        for (int i = 0; i < fast.length; i++) {
            worst = Math.max(worst, fast[i].sub(ref[i]).amaxNumber().doubleValue());
        }
        return worst;
    }

    private static INDArray rnd(long seed, long... shape) {
        return Nd4j.randn(seed, shape).castTo(DataType.FLOAT);
    }

    @Test
    void vectorApiIsOnInTheTests() {
        assertTrue(CpuLoops.VECTOR, "surefire runs with --add-modules jdk.incubator.vector");
    }

    @Test
    void scalarLoopsEqualPortablePath() {
        CpuLoops.forceScalar(true);
        loopsEqualPortablePath();
    }

    @Test
    void loopsEqualPortablePath() {
        try (MemoryWorkspace ws = Workspaces.open("loops-test")) {
            INDArray x = rnd(1, 67, 45);
            INDArray g = rnd(2, 45);
            INDArray b = rnd(3, 45);
            INDArray dy = rnd(4, 67, 45);
            double ln = diff(() -> {
                LayerNorm.Saved s = LayerNorm.forwardInPlace(x.dup(), g, b, 1e-12);
                return new INDArray[]{s.y(), s.xhat(), s.rstd(), LayerNorm.backwardInPlace(dy.dup(), g, s),
                        LayerNorm.inferInPlace(x.dup(), g, b, 1e-5)};
            });
            assertTrue(ln < 2e-5, "LayerNorm " + ln);
            INDArray z = rnd(5, 70, 33).muli(3);
            double gelu = diff(() -> {
                INDArray y = z.dup();
                INDArray dydz = Gelu.forwardInPlace(y, true);
                return new INDArray[]{y, dydz};
            });
            assertTrue(gelu < 1e-6, "GELU " + gelu);
            int bt = 3, s = 21, h = 2, d = 8;   // s = 21: one SIMD vector of 16 and a scalar tail
            INDArray qkv = rnd(6, (long) bt * s, 3L * d);
            INDArray add = Nd4j.zeros(DataType.FLOAT, bt, s);
            add.putScalar(2, 4, -1e4f);
            INDArray dctx = rnd(7, (long) bt * s, d);
            double att = diff(() -> {
                Attention.Saved sv = Attention.forward(qkv, add, bt, s, h);
                return new INDArray[]{sv.context(), sv.probs(), Attention.backward(dctx.dup(), sv, qkv, bt, s, h)};
            });
            assertTrue(att < 1e-5, "attention " + att);
        }
    }

    /**
     * Inference's attention (P in the thread's scratch) and LowRank's (x A in the scratch, each group straight from a)
     * equal the training forms, on a larger then a smaller shape (the scratch reused) and again on the larger.
     */
    @Test
    void inferenceScratchEqualsTheKeptForms() {
        int h = 2, d = 8;
        for (int[] bs : new int[][]{{3, 21}, {2, 5}, {3, 21}}) {
            int bt = bs[0], s = bs[1];
            INDArray qkv = rnd(11 + s, (long) bt * s, 3L * d);
            INDArray add = Nd4j.zeros(DataType.FLOAT, bt, s);
            add.putScalar(bt - 1, s - 1, -1e4f);
            INDArray kept = Attention.forward(qkv, add, bt, s, h, true).context();
            Attention.Saved infer = Attention.forward(qkv, add, bt, s, h, false);
            assertTrue(infer.probs() == null, "nothing kept");
            assertTrue(infer.context().equalsWithEps(kept, 0), "attention " + bt + " x " + s);
            for (int g : new int[]{1, 3}) {
                INDArray x = rnd(20 + g, (long) bt * s, 12);
                INDArray a = rnd(30 + g, g, 12, 4);
                INDArray b = rnd(40 + g, g, 4, 5);
                INDArray y0 = rnd(50 + g, (long) bt * s, 7 + g * 5);
                INDArray y1 = y0.dup();
                LowRank.forwardAdd(x, a, b, y0, 7);
                LowRank.forwardAddInfer(x, a, b, y1, 7);
                assertTrue(y1.equalsWithEps(y0, 1e-5), "LowRank G = " + g + ", " + bt + " x " + s);
            }
        }
    }

    @Test
    void addColumnsEqualsTheViewsAdd() {
        INDArray w = Nd4j.rand(DataType.FLOAT, 37, 50);
        INDArray dw = Nd4j.rand(DataType.FLOAT, 37, 13).subi(0.5);
        INDArray expect = w.dup();
        expect.get(NDArrayIndex.all(), NDArrayIndex.interval(21, 34)).addi(dw);
        assertTrue(CpuLoops.applies(w, dw), "the CPU loop runs here");
        Linear.addColumns(w, 21, dw);
        assertTrue(w.equalsWithEps(expect, 0), "only columns 21..33 change, by exactly dw");
        INDArray d = Nd4j.rand(DataType.DOUBLE, 5, 9);
        INDArray e = d.dup();
        INDArray dd = Nd4j.rand(DataType.DOUBLE, 5, 3);
        e.get(NDArrayIndex.all(), NDArrayIndex.interval(6, 9)).addi(dd);
        Linear.addColumns(d, 6, dd);                                   // double: the portable path
        assertTrue(d.equalsWithEps(e, 0));
    }
}
