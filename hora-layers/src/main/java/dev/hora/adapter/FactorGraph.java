package dev.hora.adapter;

import dev.hora.config.ApplyMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The adapters' own SameDiff graph on the kernel path: from the live adapter parameters it emits,
 * for every adapted projection, what the kernels apply, and takes the kernels' gradients of those
 * back as external gradients.
 * <pre>
 *   forward:   theta --(LoRA / MH-LoRA / HoRA hypernetwork)--> F_k = (a [G, d_in, r], s b [G, r, d_g])   FACTORISED
 *                                                           or  F_k = dW [d_in, d_out]                   DENSE
 *   backward:  L_s = sum_k sum(F_k * G_k),  G_k = dL/dF_k from the kernels (placeholders)
 *              => dL_s/dtheta = sum_k G_k dF_k/dtheta = dL/dtheta               (chain rule, one SameDiff pass)
 * </pre>
 * The mode of each projection is {@link FactorSource#mode}. Parameters are the caller's live arrays
 * (shared, not copied), named by {@code naming(layer, param)}. {@link FactorKernels} computes the same
 * without SameDiff's per-op cost; this graph stays the reference it is tested against.
 */
public final class FactorGraph extends AbstractFactorSource {

    private final SameDiff sd = SameDiff.create();
    private final List<String> outputs = new ArrayList<>();

    public FactorGraph(Map<Integer, Adapter> adapters, Map<Integer, Map<String, INDArray>> liveParams,
                       BiFunction<Integer, String, String> naming) {
        super(liveParams, adapters.keySet(), naming);
        List<SDVariable> terms = new ArrayList<>();
        adapters.forEach((layer, adapter) -> {
            Map<String, SDVariable> vars = new LinkedHashMap<>();
            liveParams.get(layer).forEach((p, arr) -> vars.put(p, sd.var(naming.apply(layer, p), arr)));
            adapter.projections().forEach((t, shape) -> {
                Key key = new Key(layer, t);
                Factors f = adapter.factors(sd, vars, t);
                ApplyMode mode = FactorSource.mode(adapter, f.groups());
                modes.put(key, mode);
                if (mode == ApplyMode.DENSE) {
                    terms.add(output(key, "dW", AdapterOps.deltaW(sd, f, shape)));
                } else {
                    terms.add(output(key, "a", f.a()));
                    terms.add(output(key, "b", f.b()));
                }
            });
        });
        SDVariable loss = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            loss = loss.add(terms.get(i));
        }
        loss.rename("surrogate_loss").markAsLoss();
    }

    private SDVariable output(Key k, String part, SDVariable v) {
        String name = outName(k, part);
        outputs.add(name);
        SDVariable named = sd.identity(name, v);   // never rename a parameter itself
        SDVariable g = sd.placeHolder(gradName(name), named.dataType(), named.getShape());
        return sd.sum(named.mul(g));
    }

    private static String outName(Key k, String part) {
        return "factor.layer." + k.layer() + "." + k.target().name() + "." + part;
    }

    private static String gradName(String out) {
        return "grad." + out;
    }

    @Override
    public Map<Key, Values> forward() {
        Map<String, INDArray> out = sd.output(Collections.emptyMap(), outputs);
        Map<Key, Values> m = new LinkedHashMap<>();
        modes.forEach((k, mode) -> m.put(k, mode == ApplyMode.DENSE
                ? new Values(mode, null, null, out.get(outName(k, "dW")))
                : new Values(mode, out.get(outName(k, "a")), out.get(outName(k, "b")), null)));
        return m;
    }

    @Override
    public Map<String, INDArray> backward(Map<Key, Values> factorGradients) {
        Map<String, INDArray> feed = new LinkedHashMap<>();
        modes.forEach((k, mode) -> {
            Values g = factorGradients.get(k);
            if (g == null) {
                throw new IllegalArgumentException("no factor gradient for " + k);
            }
            if (mode == ApplyMode.DENSE) {
                feed.put(gradName(outName(k, "dW")), g.deltaW());
            } else {
                feed.put(gradName(outName(k, "a")), g.a());
                feed.put(gradName(outName(k, "b")), g.b());
            }
        });
        return sd.calculateGradients(feed, new ArrayList<>(params.keySet()));
    }
}
