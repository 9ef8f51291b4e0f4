package dev.hora.kernels;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A row-major GEMM on sub-matrices of contiguous arrays, addressed by element offset and leading
 * dimension, so kernels read and write heads and column blocks in place (no permute copies):
 * <pre>
 *   C[offC : M x N, ldc] = alpha op(A)[offA : M x K, lda] op(B)[offB : K x N, ldb] + beta C
 *   op(X) = X or X^T;  element (i, j) of a sub-matrix at offset o with leading dimension ld is buf[o + i ld + j]
 * </pre>
 * On ND4J's CPU backend it calls the BLAS that ND4J itself loads ({@code cblas_sgemm}/{@code cblas_dgemm}
 * on the arrays' native memory). On any other backend (CUDA) it falls back to views, ND4J's own
 * {@code mmul} and an {@code assign} back: correct everywhere, fast where the CPU path runs.
 * Every array must be {@code 'c'}-ordered and contiguous ({@link #check}); float or double, all one type.
 */
public final class StridedGemm {
    private static final boolean CPU = Nd4j.getBackend().getClass().getSimpleName().toLowerCase().contains("cpu");
    private static volatile boolean forceGeneric;
    /** GEMMs with fewer rows than this split their columns over the threads ({@link #columnParts}). */
    static final int COLUMN_SPLIT_ROWS = 64;
    static final int COLUMN_BLOCK = 16;

    private StridedGemm() {
    }

    /** Tests: true runs the backend-neutral fallback even on the CPU backend. */
    static void forceGeneric(boolean v) {
        forceGeneric = v;
    }

    /** True when the native BLAS path runs. */
    public static boolean nativePath() {
        return CPU && !forceGeneric;
    }

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                            double beta, INDArray c, long offC, int ldc) {
        if (nativePath()) {
            int cols = columnParts(m, n, k);
            if (cols > 1) {    // column blocks of C: each thread reads only its columns of op(B)
                Parallel.ownThreads();
                Parallel.run(cols, t -> {
                    int j0 = columnStart(n, t, cols);
                    int j1 = columnStart(n, t + 1, cols);
                    nativeGemm(transA, transB, m, j1 - j0, k, alpha, a, offA, lda,
                            b, offB + (transB ? (long) j0 * ldb : j0), ldb, beta, c, offC + j0, ldc);
                });
                return;
            }
            int parts = Parallel.parts(m, (long) n * k);
            if (parts > 1) {   // row blocks of C: rows of op(A) are rows of A, or columns of A^T
                Parallel.ownThreads();
                Parallel.run(parts, t -> {
                    int i0 = Parallel.from(m, t, parts);
                    int i1 = Parallel.from(m, t + 1, parts);
                    nativeGemm(transA, transB, i1 - i0, n, k, alpha, a, offA + (transA ? i0 : (long) i0 * lda), lda,
                            b, offB, ldb, beta, c, offC + (long) i0 * ldc, ldc);
                });
            } else {
                nativeGemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            }
            return;
        }
        INDArray av = sub(a, offA, transA ? k : m, transA ? m : k, lda);
        INDArray bv = sub(b, offB, transB ? n : k, transB ? k : n, ldb);
        INDArray cv = sub(c, offC, m, n, ldc);
        INDArray r = (transA ? av.transpose() : av).mmul(transB ? bv.transpose() : bv).muli(alpha);
        cv.assign(beta == 0 ? r : r.addi(cv.mul(beta)));
    }

    /**
     * Parts of a column split, or 1: a GEMM of few rows ({@code m < COLUMN_SPLIT_ROWS}, e.g. one short
     * sequence at inference) is bound by reading op(B), the weight, so each thread takes a block of
     * its columns (multiples of {@code COLUMN_BLOCK}) instead of all of it for half the rows.
     */
    static int columnParts(int m, int n, int k) {
        if (m >= COLUMN_SPLIT_ROWS) {
            return 1;
        }
        return Parallel.parts(n / COLUMN_BLOCK, (long) m * k * COLUMN_BLOCK);
    }

    private static int columnStart(int n, int t, int parts) {
        return t == parts ? n : Parallel.from(n, t, parts) / COLUMN_BLOCK * COLUMN_BLOCK;
    }

    private static void nativeGemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                   INDArray a, long offA, int lda, INDArray b, long offB, int ldb,
                                   double beta, INDArray c, long offC, int ldc) {
        int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if (c.dataType() == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, (float) alpha,
                    fp(a, offA), lda, fp(b, offB), ldb, (float) beta, fp(c, offC), ldc);
        } else {
            openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, alpha,
                    dp(a, offA), lda, dp(b, offB), ldb, beta, dp(c, offC), ldc);
        }
    }

    /**
     * Whole-matrix product {@code op(a) op(b)} into a new array (allocated in the current workspace):
     * no copies of transposed or c-ordered operands (ND4J's {@code Nd4j.gemm} may copy them).
     */
    public static INDArray mm(INDArray a, boolean transA, INDArray b, boolean transB) {
        int m = (int) (transA ? a.size(1) : a.size(0));
        int n = (int) (transB ? b.size(0) : b.size(1));
        INDArray c = Nd4j.createUninitialized(a.dataType(), m, n);   // beta = 0: never read
        mm(a, transA, b, transB, c, 0);
        return c;
    }

    /** {@code c = op(a) op(b) + beta c} for whole 2-D matrices. */
    public static void mm(INDArray a, boolean transA, INDArray b, boolean transB, INDArray c, double beta) {
        check(a, "a");
        check(b, "b");
        check(c, "c");
        int m = (int) (transA ? a.size(1) : a.size(0));
        int k = (int) (transA ? a.size(0) : a.size(1));
        int n = (int) (transB ? b.size(0) : b.size(1));
        int kb = (int) (transB ? b.size(1) : b.size(0));
        if (kb != k || c.size(0) != m || c.size(1) != n) {
            throw new IllegalArgumentException("gemm shapes: op(a) " + m + "x" + k + ", op(b) " + kb + "x" + n
                    + ", c " + java.util.Arrays.toString(c.shape()));
        }
        gemm(transA, transB, m, n, k, 1, a, 0, (int) a.size(1), b, 0, (int) b.size(1), beta, c, 0, n);
    }

    /**
     * The same GEMM for a batch of sub-matrices: element offsets {@code offA[i], offB[i], offC[i]}
     * (one native pointer set for the whole batch: the per-call cost of many small GEMMs, such as
     * attention's per-head products, stays small).
     */
    public static void batch(boolean transA, boolean transB, int m, int n, int k, double alpha,
                             INDArray a, long[] offA, int lda, INDArray b, long[] offB, int ldb,
                             double beta, INDArray c, long[] offC, int ldc) {
        if (!nativePath()) {
            sequence(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            return;
        }
        int count = offA.length;
        int parts = Parallel.parts(count, (long) m * n * k);
        if (parts > 1) {
            Parallel.ownThreads();
        }
        Parallel.run(parts, t -> nativeBatch(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC,
                ldc, Parallel.from(count, t, parts), Parallel.from(count, t + 1, parts)));
    }

    /**
     * {@link #batch} run in order on the calling thread, so several GEMMs of the batch may accumulate
     * ({@code beta = 1}) into the same block of C, e.g. a weight gradient summed over heads.
     */
    public static void sequence(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                INDArray a, long[] offA, int lda, INDArray b, long[] offB, int ldb,
                                double beta, INDArray c, long[] offC, int ldc) {
        if (!nativePath()) {
            for (int i = 0; i < offA.length; i++) {
                gemm(transA, transB, m, n, k, alpha, a, offA[i], lda, b, offB[i], ldb, beta, c, offC[i], ldc);
            }
            return;
        }
        nativeBatch(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc, 0, offA.length);
    }

    /** GEMMs {@code [from, to)} of a batch, one native pointer set for all. */
    private static void nativeBatch(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                    INDArray a, long[] offA, int lda, INDArray b, long[] offB, int ldb,
                                    double beta, INDArray c, long[] offC, int ldc, int from, int to) {
        int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int order = openblas_nolapack.CblasRowMajor;
        if (c.dataType() == DataType.FLOAT) {
            FloatPointer pa = fp(a, 0), pb = fp(b, 0), pc = fp(c, 0);
            long a0 = pa.position(), b0 = pb.position(), c0 = pc.position();
            for (int i = from; i < to; i++) {
                openblas_nolapack.cblas_sgemm(order, ta, tb, m, n, k, (float) alpha, pa.position(a0 + offA[i]), lda,
                        pb.position(b0 + offB[i]), ldb, (float) beta, pc.position(c0 + offC[i]), ldc);
            }
        } else {
            DoublePointer pa = dp(a, 0), pb = dp(b, 0), pc = dp(c, 0);
            long a0 = pa.position(), b0 = pb.position(), c0 = pc.position();
            for (int i = from; i < to; i++) {
                openblas_nolapack.cblas_dgemm(order, ta, tb, m, n, k, alpha, pa.position(a0 + offA[i]), lda,
                        pb.position(b0 + offB[i]), ldb, beta, pc.position(c0 + offC[i]), ldc);
            }
        }
    }

    /** Throws unless x is a contiguous c-ordered float/double array. */
    public static INDArray check(INDArray x, String what) {
        if (x.ordering() != 'c' || (x.isView() && !isContiguous(x)) || !(x.dataType() == DataType.FLOAT
                || x.dataType() == DataType.DOUBLE)) {
            throw new IllegalArgumentException(what + " must be a contiguous c-ordered FLOAT or DOUBLE array, got "
                    + x.shapeInfoToString());
        }
        return x;
    }

    /**
     * x itself when its elements lie in 'c' order without gaps (a view at an offset is fine: every GEMM here
     * honours offsets), else a 'c' copy. No ND4J op runs when none is needed (each costs 15-60 us at a few rows).
     */
    public static INDArray contiguous(INDArray x) {
        return isContiguous(x) ? x : x.dup('c');
    }

    /**
     * x itself when it is its buffer's whole content in 'c' order (so {@code x.data().asInt()} and the like read its
     * elements in order), else a 'c' copy that is; stricter than {@link #contiguous}, which allows an offset.
     */
    public static INDArray wholeBuffer(INDArray x) {
        return x.ordering() == 'c' && !x.isView() && x.length() == x.data().length() ? x : x.dup('c');
    }

    private static boolean isContiguous(INDArray x) {
        long expect = 1;
        for (int i = x.rank() - 1; i >= 0; i--) {
            if (x.size(i) != 1 && x.stride(i) != expect) {
                return false;
            }
            expect *= x.size(i);
        }
        return true;
    }

    private static INDArray sub(INDArray x, long off, int rows, int cols, int ld) {
        INDArray flat = x.reshape(x.length());
        return Nd4j.create(flat.data(), new long[]{rows, cols}, new long[]{ld, 1}, x.offset() + off, 'c');
    }

    private static FloatPointer fp(INDArray x, long off) {
        Pointer p = x.data().addressPointer();
        return new FloatPointer(p).position(x.offset() + off);
    }

    private static DoublePointer dp(INDArray x, long off) {
        Pointer p = x.data().addressPointer();
        return new DoublePointer(p).position(x.offset() + off);
    }
}
