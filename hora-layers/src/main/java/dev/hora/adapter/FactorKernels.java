package dev.hora.adapter;

import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.kernels.StridedGemm;
import dev.hora.kernels.Workspaces;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The adapters' factors on the kernel path with explicit forward and backward passes over ND4J
 * arrays: the contract and results of {@link FactorGraph} without SameDiff's per-op cost.
 * <pre>
 *   forward:   theta_l --(adapter_l.kernel(), per layer l)--> (a_t, b_t)        a [G, d_in, r], b [G, r, d_g]
 *              FACTORISED: F_k = (a_t, b_t)
 *              DENSE:      F_k = dW_t = [a_g b_g]_g                             [G, d_in, d_g] -> [d_in, d_out]
 *   backward:  DENSE:      da_g = dW_g b_g^T,  db_g = a_g^T dW_g                dW_g = columns of head g
 *              (DENSE per head: one BLAS GEMM on each head's column block of dW, read and written in place)
 *              then (da_t, db_t) --(the kind's backward)--> dL/dtheta_l
 * </pre>
 * Modes as {@link FactorSource#mode}; parameters are the caller's live arrays (not copied), named by
 * {@code naming(layer, param)}. {@link #backward} differentiates at the values of the last
 * {@link #forward} (the step's factors; a fresh forward if there was none). {@link #forward} and {@link #backward}
 * allocate in {@link Workspaces#FACTORS} when the caller has it open (a training step, whose caller keeps the
 * gradients it hands on), everything else outside ND4J workspaces; all in the parameters' data type.
 */
public final class FactorKernels extends AbstractFactorSource {
    private final Map<Integer, Adapter> adapters;
    private final Map<Integer, FactorKernel> kernels = new LinkedHashMap<>();
    private final Map<Integer, Map<String, INDArray>> layerParams = new LinkedHashMap<>();
    private final BiFunction<Integer, String, String> naming;
    private Map<Integer, FactorKernel.Pass> last;

    public FactorKernels(Map<Integer, Adapter> adapters, Map<Integer, Map<String, INDArray>> liveParams,
                         BiFunction<Integer, String, String> naming) {
        super(liveParams, adapters.keySet(), naming);
        this.adapters = new LinkedHashMap<>(adapters);
        this.naming = naming;
        adapters.forEach((layer, adapter) -> {
            kernels.put(layer, adapter.kernel());
            layerParams.put(layer, liveParams.get(layer));
            adapter.projections().forEach((t, shape) ->
                    modes.put(new Key(layer, t), FactorSource.mode(adapter, kernels.get(layer).groups(t))));
        });
    }

    @Override
    public Map<Key, Values> forward() {
        try (MemoryWorkspace ws = Workspaces.factorScope()) {
            Map<Integer, FactorKernel.Pass> passes = passes();
            Map<Key, Values> out = new LinkedHashMap<>();
            passes.forEach((layer, pass) -> adapters.get(layer).projections().forEach((t, shape) -> {
                Key k = new Key(layer, t);
                FactorKernel.Pair f = pass.factors().get(t);
                out.put(k, modes.get(k) == ApplyMode.DENSE
                        ? new Values(ApplyMode.DENSE, null, null, deltaW(f.a(), f.b(), shape))
                        : new Values(ApplyMode.FACTORISED, f.a(), f.b(), null));
            }));
            last = passes;
            return out;
        }
    }

    /**
     * Every projection's factors in FACTORISED form, whatever its training mode: what inference
     * applies (and caches). Leaves the state {@link #backward} reads untouched, so it may run from
     * any thread while nothing trains.
     */
    public Map<Key, Values> factorised() {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Map<Key, Values> out = new LinkedHashMap<>();
            passes().forEach((layer, pass) -> adapters.get(layer).projections().forEach((t, shape) -> {
                FactorKernel.Pair f = pass.factors().get(t);
                out.put(new Key(layer, t), new Values(ApplyMode.FACTORISED, f.a(), f.b(), null));
            }));
            return out;
        }
    }

    /** dW [d_in, d_out] of every projection at the current parameters (a merge folds it into W). */
    public Map<Key, INDArray> deltaW() {
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            Map<Key, INDArray> out = new LinkedHashMap<>();
            passes().forEach((layer, pass) -> adapters.get(layer).projections().forEach((t, shape) -> {
                FactorKernel.Pair f = pass.factors().get(t);
                out.put(new Key(layer, t), deltaW(f.a(), f.b(), shape));
            }));
            return out;
        }
    }

    private Map<Integer, FactorKernel.Pass> passes() {
        Map<Integer, FactorKernel.Pass> passes = new LinkedHashMap<>();
        kernels.forEach((layer, kernel) -> passes.put(layer, kernel.forward(layerParams.get(layer))));
        return passes;
    }

    @Override
    public Map<String, INDArray> backward(Map<Key, Values> factorGradients) {
        try (MemoryWorkspace ws = Workspaces.factorScope()) {
            Map<Integer, FactorKernel.Pass> passes = last != null ? last : passes();
            Map<String, INDArray> grads = new LinkedHashMap<>();
            passes.forEach((layer, pass) -> {
                Map<Target, FactorKernel.Pair> g = new EnumMap<>(Target.class);
                adapters.get(layer).projections().forEach((t, shape) -> {
                    Key k = new Key(layer, t);
                    Values v = factorGradients.get(k);
                    if (v == null) {
                        throw new IllegalArgumentException("no factor gradient for " + k);
                    }
                    FactorKernel.Pair f = pass.factors().get(t);
                    g.put(t, modes.get(k) == ApplyMode.DENSE ? deltaWBackward(f.a(), f.b(), v.deltaW())
                            : new FactorKernel.Pair(v.a(), v.b()));
                });
                Map<String, INDArray> d = pass.backward(g);
                layerParams.get(layer).keySet().forEach(p -> grads.put(naming.apply(layer, p), d.get(p)));
            });
            last = null;   // its arrays may live in a step's workspace; a later backward runs a fresh forward
            return grads;
        }
    }

    /**
     * dW [d_in, d_out] = [a_1 b_1 | ... | a_G b_G] from a [G, d_in, r], b [G, r, d_g]: one GEMM per
     * head written straight into its column block ({@link StridedGemm#batch}, no permute copies).
     */
    static INDArray deltaW(INDArray a, INDArray b, ProjectionShape s) {
        int g = (int) a.size(0);
        int dIn = (int) a.size(1);
        int r = (int) a.size(2);
        int dg = (int) b.size(2);
        INDArray dw = Nd4j.create(a.dataType(), dIn, (long) g * dg);
        Blocks o = new Blocks(g, dIn, r, dg);
        StridedGemm.batch(false, false, dIn, dg, r, 1, c(a), o.a, r, c(b), o.b, dg, 0, dw, o.w, g * dg);
        return dw.reshape(s.dIn(), s.dOut());
    }

    /** (da, db) from ddW [d_in, d_out]: da_g = ddW_g b_g^T [d_in, r], db_g = a_g^T ddW_g [r, d_g]. */
    static FactorKernel.Pair deltaWBackward(INDArray a, INDArray b, INDArray dDeltaW) {
        int g = (int) a.size(0);
        int dIn = (int) a.size(1);
        int r = (int) a.size(2);
        int dg = (int) b.size(2);
        INDArray dw = c(dDeltaW);
        INDArray da = Nd4j.create(a.dataType(), g, dIn, r);
        INDArray db = Nd4j.create(b.dataType(), g, r, dg);
        Blocks o = new Blocks(g, dIn, r, dg);
        StridedGemm.batch(false, true, dIn, r, dg, 1, dw, o.w, g * dg, c(b), o.b, dg, 0, da, o.a, r);
        StridedGemm.batch(true, false, r, dg, dIn, 1, c(a), o.a, r, dw, o.w, g * dg, 0, db, o.b, dg);
        return new FactorKernel.Pair(da, db);
    }

    private static INDArray c(INDArray x) {
        return x.ordering() == 'c' && !x.isView() ? x : x.dup('c');
    }

    /** Element offsets of head g's block: a_g, b_g, and its columns of dW. */
    private static final class Blocks {
        final long[] a, b, w;

        Blocks(int g, int dIn, int r, int dg) {
            a = new long[g];
            b = new long[g];
            w = new long[g];
            for (int i = 0; i < g; i++) {
                a[i] = (long) i * dIn * r;
                b[i] = (long) i * r * dg;
                w[i] = (long) i * dg;
            }
        }
    }
}
