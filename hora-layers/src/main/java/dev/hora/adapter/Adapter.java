package dev.hora.adapter;

import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The adapter of one layer: from its own trainable parameters it emits, for every adapted
 * projection t, the weight update {@code dW_t [d_in, d_out]} as low-rank {@link Factors}.
 *
 * <pre>
 *   params --(kind-specific map)--> Factors_t = (a [G, d_in, r], s b [G, r, d_out/G])
 *   dW_t = [ a_1 b_1 | ... | a_G b_G ]                       ({@link AdapterOps#deltaW})
 *   y    = x (W_t + dW_t) + b_t   or   x W_t + b_t + [(x a_g) b_g]_g   ({@link AdapterOps#project})
 * </pre>
 *
 * <p>Implementations: {@link dev.hora.adapter.lora.LoraAdapter},
 * {@link dev.hora.adapter.mhlora.MhLoraAdapter}, {@link dev.hora.adapter.hora.HoraAdapter};
 * create them with {@link Adapters#create}. An adapter holds no arrays: parameter values live with
 * whoever owns them (a DL4J layer's parameter view, a SameDiff graph) and are passed in.
 */
public interface Adapter {

    /** The settings this adapter was built from. */
    AdapterConfig config();

    /** The projections it adapts, in Target order. */
    Map<Target, ProjectionShape> projections();

    /** Name and shape of every trainable tensor, in a stable order. Names are [A-Za-z0-9]. */
    LinkedHashMap<String, long[]> paramShapes();

    /** Number of adapter scalars (trainable or fixed): the sum over {@link #paramShapes()}. */
    default long numParams() {
        long n = 0;
        for (long[] s : paramShapes().values()) {
            long p = 1;
            for (long d : s) {
                p *= d;
            }
            n += p;
        }
        return n;
    }

    /**
     * True when the optimizer updates parameter {@code name} (a key of {@link #paramShapes()});
     * false for HoRA's seeds when {@code learnableSeeds = false} (they keep their initial draw).
     */
    default boolean trainable(String name) {
        return true;
    }

    /** Factor on the learning rate of parameter {@code name}: HoRA's generatorLrMultiplier, else 1. */
    default double lrMultiplier(String name) {
        return 1.0;
    }

    /** Number of scalars the optimizer updates: the sum over the {@link #trainable} parameters. */
    default long numTrainableParams() {
        long n = 0;
        for (Map.Entry<String, long[]> e : paramShapes().entrySet()) {
            if (trainable(e.getKey())) {
                long p = 1;
                for (long d : e.getValue()) {
                    p *= d;
                }
                n += p;
            }
        }
        return n;
    }

    /**
     * Fresh initial values by the rules of the method document (dW = 0 at init), deterministic in
     * the config seed and the layer. Keys and shapes as {@link #paramShapes()}.
     *
     * @param layer which layer the adapter belongs to (encoder layer index, or any number that tells
     *              a network's layers apart); each layer draws its own streams ({@link Inits#stream})
     */
    LinkedHashMap<String, INDArray> initParams(DataType dataType, int layer);

    /** {@link #initParams(DataType, int)} for layer 0. */
    default LinkedHashMap<String, INDArray> initParams(DataType dataType) {
        return initParams(dataType, 0);
    }

    /**
     * The factors of target t as SameDiff variables built from {@code params} (keys as
     * {@link #paramShapes()}).
     */
    Factors factors(SameDiff sd, Map<String, SDVariable> params, Target t);

    /**
     * The same map as {@link #factors} with explicit forward and backward passes over ND4J arrays
     * (the kernel engine's {@link FactorKernels}).
     */
    FactorKernel kernel();
}
