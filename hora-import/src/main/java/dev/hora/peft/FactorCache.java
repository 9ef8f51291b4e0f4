package dev.hora.peft;

import dev.hora.adapter.FactorKernels;
import dev.hora.adapter.FactorSource.Key;
import dev.hora.adapter.FactorSource.Values;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The inference factors of one {@link AdapterSet}, computed from its live parameters and kept while they
 * are unchanged:
 * <pre>
 *   F = factors(theta)  (FactorKernels)          reused while fingerprint(theta) is the one F was made from
 *   frozen:  F made once, theta never read again  (served adapters: no per-batch pass over theta)
 * </pre>
 * The fingerprint is a 64-bit mix of every parameter's float bits (~0.1 ms per 100K parameters, per call),
 * so direct writes to the live arrays are noticed without a call to {@link #invalidate}. Thread-safe.
 */
final class FactorCache {
    private final FactorKernels kernels;
    private final List<INDArray> params;
    private volatile Cached cached;
    private volatile boolean frozen;

    /** Factors and the fingerprint of the values they were computed from. */
    private record Cached(long fingerprint, Map<Key, Values> factors) {
    }

    /** {@code params}: the live adapter arrays the factors depend on (not the head). */
    FactorCache(FactorKernels kernels, List<INDArray> params) {
        this.kernels = kernels;
        this.params = List.copyOf(params);
    }

    /** The current factors (empty for a linear probe). */
    Map<Key, Values> get() {
        if (kernels == null) {
            return Map.of();
        }
        Cached c = cached;
        if (frozen && c != null) {
            return c.factors();
        }
        long fp = fingerprint();
        if (c == null || c.fingerprint() != fp) {
            synchronized (this) {
                c = cached;
                if (c == null || c.fingerprint() != fp) {
                    c = new Cached(fp, Collections.unmodifiableMap(kernels.factorised()));
                    cached = c;
                }
            }
        }
        return c.factors();
    }

    /** Drops the factors: the next {@link #get} recomputes them. */
    void invalidate() {
        if (frozen) {
            throw new IllegalStateException("the adapter is frozen: its values cannot change");
        }
        cached = null;
    }

    /** From now on the parameters do not change: the factors are made now and never checked again. */
    void freeze() {
        get();
        frozen = true;
    }

    boolean frozen() {
        return frozen;
    }

    /** Bytes of the cached factors. */
    long bytes() {
        Cached c = cached;
        long n = 0;
        if (c != null) {
            for (Values v : c.factors().values()) {
                n += v.a().length() * v.a().dataType().width() + v.b().length() * v.b().dataType().width();
            }
        }
        return n;
    }

    private long fingerprint() {
        long h = 0x9E3779B97F4A7C15L;
        for (INDArray a : params) {
            INDArray f = a.dataType() == DataType.FLOAT && a.ordering() == 'c' && !a.isView() ? a
                    : a.castTo(DataType.FLOAT).dup('c');
            FloatBuffer fb = f.data().asNioFloat();
            int n = (int) f.length();
            for (int i = 0; i < n; i++) {
                h = (h ^ Float.floatToRawIntBits(fb.get(i))) * 0x100000001B3L;
                h ^= h >>> 29;
            }
        }
        return h;
    }
}
