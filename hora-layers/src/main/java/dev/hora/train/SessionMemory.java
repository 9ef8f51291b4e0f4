package dev.hora.train;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;

/**
 * Caps SameDiff's per-session array cache. SameDiff 1.0.0-M2.1 keeps released op outputs in an
 * {@link ArrayCacheMemoryMgr} sized at a quarter of the machine's memory; with batches of varying
 * sequence length (every batch a new set of shapes) that cache fills, so a fine-tuning process
 * grew past 12 GB resident. This replaces the cache of every session of a graph, and of its
 * gradient function, with one capped at {@code maxBytes}.
 */
public final class SessionMemory {
    /** Default cap: 256 MiB. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    private SessionMemory() {
    }

    /** Applies the cap to {@code sd}'s sessions and to those of its "grad" function, if any. */
    public static void limit(SameDiff sd, long maxBytes) {
        limitSessions(sd, maxBytes);
        SameDiff grad = sd.getFunction("grad");
        if (grad != null) {
            limitSessions(grad, maxBytes);
        }
    }

    private static void limitSessions(SameDiff sd, long maxBytes) {
        for (InferenceSession s : sd.getSessions().values()) {
            if (s.getMmgr() instanceof ArrayCacheMemoryMgr m && m.getMaxCacheBytes() == maxBytes) {
                continue;
            }
            if (s.getMmgr() != null) {
                s.getMmgr().close();   // frees what the uncapped cache held
            }
            ArrayCacheMemoryMgr capped = new ArrayCacheMemoryMgr();
            capped.setMaxCacheBytes(maxBytes);
            s.setMmgr(capped);
        }
    }
}
