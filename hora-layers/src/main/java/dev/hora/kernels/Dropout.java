package dev.hora.kernels;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout with a mask that is a pure function of (seed, step, site), so a resumed run
 * draws the same masks:
 * <pre>
 *   m_ij = [u_ij >= p] / (1 - p),  u ~ U(0, 1) from SplittableRandom(mix(seed, step, site))
 *   forward  x' = x m          backward  dx = dx' m
 * </pre>
 */
public final class Dropout {
    private Dropout() {
    }

    /** The scaled mask, shape and type of x. */
    public static INDArray mask(INDArray x, double p, long seed, long step, long site) {
        SplittableRandom r = new SplittableRandom(mix(mix(seed, step), site));
        float keep = (float) (1.0 / (1.0 - p));
        float[] m = new float[(int) x.length()];
        for (int i = 0; i < m.length; i++) {
            m[i] = r.nextDouble() >= p ? keep : 0f;
        }
        return Nd4j.createFromArray(m).castTo(x.dataType()).reshape(x.shape());
    }

    private static long mix(long a, long b) {
        long h = a * 0x9E3779B97F4A7C15L + b;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 29);
    }
}
