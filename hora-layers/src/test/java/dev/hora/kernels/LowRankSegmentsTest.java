package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link LowRank#forwardAddSegments} (a mixed batch: each row segment with its own factors, G = 1 and
 * G = 4, ranks 2 and 8, a gap of rows with no adapter) against {@link LowRank#forwardAdd} on each segment's
 * rows alone, on one thread and split over two (enough segments and work that the split happens).
 */
class LowRankSegmentsTest {
    private static final int DEFAULT = Parallel.threads();

    @AfterEach
    void reset() {
        Parallel.threads(DEFAULT);
    }

    @Test
    void eachSegmentGetsOnlyItsOwnUpdate() {
        int in = 256, out = 64, offset = 32, ldy = 160;   // the block of y at columns [32, 96); ~1.5M multiply-adds
        int[] from = {0, 40, 90, 100, 230};
        int[] to = {40, 80, 100, 230, 300};              // rows [80, 90) have no adapter
        int[] groups = {1, 4, 1, 4, 2};
        int[] ranks = {8, 2, 2, 8, 4};
        int n = 310;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, in).subi(0.5);
        INDArray y0 = Nd4j.rand(DataType.FLOAT, n, ldy);
        INDArray[] a = new INDArray[from.length];
        INDArray[] b = new INDArray[from.length];
        for (int i = 0; i < from.length; i++) {
            a[i] = Nd4j.rand(DataType.FLOAT, groups[i], in, ranks[i]).subi(0.5);
            b[i] = Nd4j.rand(DataType.FLOAT, groups[i], ranks[i], out / groups[i]).subi(0.5);
        }
        INDArray want = y0.dup();
        for (int i = 0; i < from.length; i++) {
            INDArray xs = x.get(NDArrayIndex.interval(from[i], to[i]), NDArrayIndex.all()).dup('c');
            INDArray ys = want.get(NDArrayIndex.interval(from[i], to[i]), NDArrayIndex.all()).dup('c');
            LowRank.forwardAdd(xs, a[i], b[i], ys, offset);
            want.get(NDArrayIndex.interval(from[i], to[i]), NDArrayIndex.all()).assign(ys);
        }
        assertTrue(want.sub(y0).get(NDArrayIndex.interval(0, 80), NDArrayIndex.all()).norm2Number().doubleValue() > 1,
                "the reference adds something (else the comparison below is vacuous)");
        for (int threads : new int[]{1, 2}) {
            Parallel.threads(threads);
            assertTrue(threads == 1 || Parallel.parts(from.length, 1_490_000L / from.length) == 2, "the work splits");
            INDArray got = y0.dup();
            LowRank.forwardAddSegments(x, from, to, a, b, got, offset);
            double err = got.sub(want).norm2Number().doubleValue() / want.norm2Number().doubleValue();
            assertTrue(err < 1e-6, threads + " threads: rel err " + err);
            INDArray gap = got.get(NDArrayIndex.interval(80, 90), NDArrayIndex.all());
            assertTrue(gap.equals(y0.get(NDArrayIndex.interval(80, 90), NDArrayIndex.all())),
                    "rows without an adapter are untouched");
            INDArray outside = got.get(NDArrayIndex.all(), NDArrayIndex.interval(0, offset));
            assertTrue(outside.equals(y0.get(NDArrayIndex.all(), NDArrayIndex.interval(0, offset))),
                    "columns outside the block are untouched");
        }
    }

    @Test
    void contiguousCopiesOnlyWhatHasGaps() {
        INDArray m = Nd4j.rand(DataType.FLOAT, 6, 8);
        INDArray rows = m.get(NDArrayIndex.interval(2, 4), NDArrayIndex.all());        // a view without gaps
        assertTrue(StridedGemm.contiguous(rows) == rows, "whole rows at an offset are used in place");
        INDArray cols = m.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4));        // gaps between rows
        INDArray c = StridedGemm.contiguous(cols);
        assertTrue(c != cols && c.equals(cols), "a view with gaps is copied, values kept");
        INDArray t = m.transpose();
        assertTrue(StridedGemm.contiguous(t) != t && StridedGemm.contiguous(t).equals(t), "a transpose is copied");
    }
}
