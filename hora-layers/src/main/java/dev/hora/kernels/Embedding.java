package dev.hora.kernels;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The sum of embedding rows a BERT input starts from, one row per token:
 * <pre>
 *   x[i, :] = sum_t table_t[index_t[i], :]        table_t [V_t, d], index_t [N]  ->  x [N, d]
 *   (BERT: word[ids] + tokenType[types] + position[i mod S])
 * </pre>
 * On the CPU in float the rows are copied and summed straight from the tables' memory; elsewhere
 * (double, CUDA) by ND4J's {@code pullRows} and adds. {@code pullRows} builds the table's row offsets
 * (30,522 for BERT's vocabulary) on every call: ~8 ms per call at one sequence of 12 tokens, more than
 * the six layers after it took.
 */
public final class Embedding {
    private Embedding() {
    }

    /** x [N, d] = sum over t of rows {@code indexes[t]} of {@code tables[t]}; every index array has N entries. */
    public static INDArray gatherSum(INDArray[] tables, int[][] indexes) {
        int n = indexes[0].length;
        int d = (int) tables[0].size(1);
        for (int t = 0; t < tables.length; t++) {
            if (indexes[t].length != n || tables[t].size(1) != d) {
                throw new IllegalArgumentException("embedding table " + t + ": " + indexes[t].length + " indexes of "
                        + tables[t].size(1) + " columns, expected " + n + " of " + d);
            }
            long rows = tables[t].size(0);
            for (int i : indexes[t]) {
                if (i < 0 || i >= rows) {
                    throw new IndexOutOfBoundsException("embedding table " + t + " has " + rows + " rows, index " + i);
                }
            }
        }
        if (!CpuLoops.applies(tables)) {
            INDArray x = Nd4j.pullRows(tables[0], 1, indexes[0]);
            for (int t = 1; t < tables.length; t++) {
                x.addi(Nd4j.pullRows(tables[t], 1, indexes[t]));
            }
            return x;
        }
        INDArray x = Nd4j.createUninitialized(tables[0].dataType(), n, d);
        FloatBuffer xb = CpuLoops.buf(x);
        FloatBuffer[] tb = new FloatBuffer[tables.length];
        for (int t = 0; t < tables.length; t++) {
            tb[t] = CpuLoops.buf(tables[t]);
        }
        float[] row = new float[d];
        float[] add = new float[d];
        for (int i = 0; i < n; i++) {
            tb[0].get(indexes[0][i] * d, row);
            for (int t = 1; t < tables.length; t++) {
                tb[t].get(indexes[t][i] * d, add);
                for (int j = 0; j < d; j++) {
                    row[j] += add[j];
                }
            }
            xb.put(i * d, row);
        }
        return x;
    }
}
