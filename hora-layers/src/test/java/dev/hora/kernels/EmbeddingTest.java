package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Embedding#gatherSum} against ND4J's pullRows and adds, float (the direct loop) and double (ND4J). */
class EmbeddingTest {

    @Test
    void sumOfGatheredRowsEqualsPullRows() {
        int[] words = {5, 0, 99, 5, 42, 7, 98};
        int[] types = {0, 1, 1, 0, 0, 1, 0};
        int[] positions = {0, 1, 2, 3, 0, 1, 2};
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray word = Nd4j.rand(dt, 100, 24);
            INDArray type = Nd4j.rand(dt, 2, 24);
            INDArray pos = Nd4j.rand(dt, 16, 24);
            INDArray expect = Nd4j.pullRows(word, 1, words).addi(Nd4j.pullRows(type, 1, types))
                    .addi(Nd4j.pullRows(pos, 1, positions));
            INDArray got = Embedding.gatherSum(new INDArray[]{word, type, pos}, new int[][]{words, types, positions});
            assertEquals(dt, got.dataType());
            assertTrue(got.equalsWithEps(expect, 1e-6), dt.toString());
            // row 3 repeats row 0's word: the sums differ only by the position row
            assertTrue(got.getRow(3).sub(got.getRow(0)).equalsWithEps(pos.getRow(3).sub(pos.getRow(0)), 1e-6));
        }
    }

    @Test
    void anIndexOutsideATableIsAClearError() {
        INDArray word = Nd4j.rand(DataType.FLOAT, 10, 4);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Embedding.gatherSum(new INDArray[]{word}, new int[][]{{1, 10}}));
        assertTrue(e.getMessage().contains("10 rows, index 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Embedding.gatherSum(
                new INDArray[]{word, Nd4j.rand(DataType.FLOAT, 2, 4)}, new int[][]{{1, 2}, {0}}));
    }
}
