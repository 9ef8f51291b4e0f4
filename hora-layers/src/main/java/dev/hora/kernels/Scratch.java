package dev.hora.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A per-thread flat array for temporaries of an inference pass that no caller sees (attention's P, an adapter's
 * x A), addressed by element offset ({@link StridedGemm}, {@link CpuLoops}): no ND4J array is made per call (each is
 * a buffer that ND4J's deallocator thread and the garbage collector track, even inside a workspace).
 * <pre>
 *   get(type, n)  -> this thread's array of at least n elements of type, outside every workspace (grown, never shrunk)
 * </pre>
 * Valid until the same thread's next {@link #get} on the same instance; one instance per use site.
 */
final class Scratch {
    private final ThreadLocal<INDArray> local = new ThreadLocal<>();

    INDArray get(DataType type, long length) {
        INDArray s = local.get();
        if (s == null || s.dataType() != type || s.length() < length) {
            s = Nd4j.createUninitializedDetached(type, Math.max(length, s == null ? 0 : s.length()));
            local.set(s);
        }
        return s;
    }
}
