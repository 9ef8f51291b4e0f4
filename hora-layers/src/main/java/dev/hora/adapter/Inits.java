package dev.hora.adapter;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Initialisers used by the adapters. Each tensor draws from its own stream, seeded from the config
 * seed, the layer the adapter belongs to and the tensor's name, so adding a target does not change
 * the others' initial values and no two layers start from the same values.
 * <pre>
 *   kaimingUniform(fanIn):        U(-1/sqrt(fanIn), 1/sqrt(fanIn))   (PyTorch Linear / LoRA's A; std 1/sqrt(3 fanIn))
 *   xavierUniform(fanIn, fanOut): U(-sqrt(6/(fanIn+fanOut)), +...)
 *   normal:                       N(0, 1)
 * </pre>
 */
public final class Inits {
    private Inits() {
    }

    /** A random stream for tensor {@code name} under {@code seed} (layer 0). */
    public static SplittableRandom stream(long seed, String name) {
        return stream(seed, 0, name);
    }

    /** A random stream for tensor {@code name} of layer {@code layer} under {@code seed}. */
    public static SplittableRandom stream(long seed, int layer, String name) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode() ^ layer * 0xBF58476D1CE4E5B9L);
    }

    public static INDArray uniform(SplittableRandom rnd, double bound, DataType dt, long... shape) {
        double[] v = new double[(int) length(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * rnd.nextDouble() - 1) * bound;
        }
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dt);
    }

    public static INDArray kaimingUniform(SplittableRandom rnd, long fanIn, DataType dt, long... shape) {
        return uniform(rnd, 1.0 / Math.sqrt(fanIn), dt, shape);
    }

    public static INDArray xavierUniform(SplittableRandom rnd, long fanIn, long fanOut, DataType dt,
                                         long... shape) {
        return uniform(rnd, Math.sqrt(6.0 / (fanIn + fanOut)), dt, shape);
    }

    public static INDArray normal(SplittableRandom rnd, DataType dt, long... shape) {
        double[] v = new double[(int) length(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = gaussian(rnd);
        }
        return Nd4j.create(v, shape, DataType.DOUBLE).castTo(dt);
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller; u1 in (0, 1]
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    static long length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
