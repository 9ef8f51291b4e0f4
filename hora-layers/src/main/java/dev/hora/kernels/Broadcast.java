package dev.hora.kernels;

import java.lang.ref.Reference;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.BroadcastOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row- and column-vector operations in place, the same results as ND4J's {@code addiRowVector},
 * {@code muliRowVector}, {@code subiColumnVector}, {@code muliColumnVector}, without their crash:
 * <pre>
 *   addRow(x, v):    x[i, :] += v      x [n, d], v [d] or [1, d]
 *   mulRow(x, v):    x[i, :] *= v
 *   subColumn(x, c): x[:, j] -= c      c [n] or [n, 1]
 *   mulColumn(x, c): x[:, j] *= c
 * </pre>
 * Why not ND4J's own: in 1.0.0-M2.1 a broadcast op carries its axis as a small array that nothing
 * references once the native call has started ({@code NativeOpExecutioner.exec(BroadcastOp)} does not
 * touch the op after the call). A garbage collection during the call lets ND4J's deallocator free that
 * array's buffer under the running op: SIGSEGV in {@code sd::DataBuffer::primary()}, about once in a
 * few hundred fine-tunes, and within a minute when another thread keeps the collector busy. Here the
 * op stays reachable until the call has returned.
 */
public final class Broadcast {
    private Broadcast() {
    }

    /** x[i, :] += v; returns x. */
    public static INDArray addRow(INDArray x, INDArray v) {
        return exec(new BroadcastAddOp(x, vector(x, v, 1), x, 1));
    }

    /** x[i, :] *= v; returns x. */
    public static INDArray mulRow(INDArray x, INDArray v) {
        return exec(new BroadcastMulOp(x, vector(x, v, 1), x, 1));
    }

    /** x[:, j] -= c; returns x. */
    public static INDArray subColumn(INDArray x, INDArray c) {
        return exec(new BroadcastSubOp(x, vector(x, c, 0), x, 0));
    }

    /** x[:, j] *= c; returns x. */
    public static INDArray mulColumn(INDArray x, INDArray c) {
        return exec(new BroadcastMulOp(x, vector(x, c, 0), x, 0));
    }

    private static INDArray exec(BroadcastOp op) {
        try {
            Nd4j.getExecutioner().exec(op);
            return op.z();
        } finally {
            Reference.reachabilityFence(op);
        }
    }

    /** The vector to broadcast along {@code axis} of the matrix x, checked; a copy if it shares x's buffer. */
    private static INDArray vector(INDArray x, INDArray v, int axis) {
        if (x.rank() != 2 || v.length() != x.size(axis) || v.length() > 1 && !v.isVector()) {
            throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(v.shape()) + " along "
                    + (axis == 1 ? "every row" : "every column") + " of " + Arrays.toString(x.shape()));
        }
        return v.data() == x.data() ? v.dup() : v;
    }
}
