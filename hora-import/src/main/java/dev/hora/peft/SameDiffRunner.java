package dev.hora.peft;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.AdapterOps;
import dev.hora.config.Target;
import dev.hora.onnx.BertConfig;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.BertEncoderBuilder;
import dev.hora.onnx.bert.Pooling;
import dev.hora.onnx.bert.ProjectionHook;
import dev.hora.train.Objective;
import dev.hora.train.SameDiffObjective;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.WeakHashMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The reference {@link Runner} ({@link Engine#SAMEDIFF}): per adapter one SameDiff graph of the whole
 * model, every pretrained tensor a constant, differentiated by SameDiff:
 * <pre>
 *   input_ids, attention_mask, token_type_ids [b, s]
 *     -> encoder; at each adapted projection  y = x (W + dW_t) + b   (dW_t from the adapter's SameDiff factors)
 *     -> pooled [b, d] (MEAN or CLS) -> logits = pooled W_c + b_c [b, n] -> probabilities, loss
 * </pre>
 * The adapter's arrays stay the truth: they are copied into the graph before each call and back after
 * each optimizer step. Calls are serialised (a SameDiff graph is not thread-safe); each collects
 * garbage first (SameDiff leaves native buffers behind small Java wrappers).
 */
final class SameDiffRunner implements Runner {
    private final BertConfig config;
    private final Map<String, INDArray> weights;
    private final Map<AdapterSet, Graph> graphs = new WeakHashMap<>();
    private final Map<Pooling, Graph> base = new TreeMap<>();

    SameDiffRunner(BertConfig config, Map<String, INDArray> weights) {
        this.config = config;
        this.weights = weights;
    }

    /** One adapter's graph; trainable variables named as the adapter's parameters. */
    record Graph(SameDiff sd) {
        void pull(AdapterSet a) {
            if (a != null) {
                a.parameters().forEach((n, v) -> sd.getArrForVarName(n).assign(v));
            }
        }

        void push(AdapterSet a) {
            a.parameters().forEach((n, v) -> v.assign(sd.getArrForVarName(n)));
            a.parametersChanged();
        }
    }

    synchronized Graph graph(AdapterSet a, Pooling basePooling) {
        if (a == null) {
            return base.computeIfAbsent(basePooling, p -> build(null, p));
        }
        return graphs.computeIfAbsent(a, x -> build(x, x.pooling()));
    }

    private Graph build(AdapterSet a, Pooling pooling) {
        SameDiff sd = SameDiff.create();
        Map<Integer, Map<String, SDVariable>> vars = new TreeMap<>();
        Map<Integer, Adapter> layers = a == null ? Map.of() : a.layers();
        if (a != null) {
            a.layerParams().forEach((l, ps) -> {
                Map<String, SDVariable> m = new LinkedHashMap<>();
                ps.forEach((n, v) -> m.put(n, sd.var(AdapterSet.varName(l, n), v.dup())));
                vars.put(l, m);
            });
        }
        ProjectionHook hook = (g, site, x, w, bias) -> {
            Adapter ad = layers.get(site.layer());
            Target t = site.role();
            if (ad == null || !ad.projections().containsKey(t)) {
                return ProjectionHook.DEFAULT.project(g, site, x, w, bias);
            }
            return AdapterOps.project(g, x, x, w, bias, ad.factors(g, vars.get(site.layer()), t),
                    ad.projections().get(t), ad.config().getApplyMode());
        };
        BertEncoder enc = BertEncoderBuilder.of(config, weights).pooling(pooling).hook(hook).build(sd);
        if (a != null && a.numClasses() > 0) {
            Map<String, INDArray> head = a.headParams();
            ClassifierHead.build(sd, enc.pooled(), head.get(ClassifierHead.WEIGHT).dup(),
                    head.get(ClassifierHead.BIAS).dup(), true);
        }
        return new Graph(sd);
    }

    @Override
    public synchronized INDArray run(Output what, INDArray ids, INDArray mask, INDArray types, List<Group> groups,
                                     Pooling basePooling) {
        Runner.width(what, groups, config.hiddenSize());
        String name = switch (what) {
            case PROBABILITIES -> ClassifierHead.PROBABILITIES;
            case POOLED -> BertEncoder.POOLED;
            case HIDDEN -> BertEncoder.LAST_HIDDEN_STATE;
        };
        List<INDArray> parts = new ArrayList<>();
        for (Group g : groups) {
            System.gc();
            Graph graph = graph(g.adapter(), basePooling);
            graph.pull(g.adapter());
            INDArray[] rows = new INDArray[3];
            INDArray[] in = {ids, mask, types};
            for (int i = 0; i < 3; i++) {
                rows[i] = in[i].get(NDArrayIndex.interval(g.from(), g.to()), NDArrayIndex.all()).dup();
            }
            parts.add(graph.sd().output(Inputs.feed(rows[0], rows[1], rows[2]), name).get(name));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    }

    @Override
    public Objective objective(AdapterSet a) {
        if (a.numClasses() == 0) {
            throw new IllegalArgumentException("adapter '" + a.name() + "' has no classification head to train");
        }
        Graph graph = graph(a, a.pooling());
        SameDiffObjective o = SameDiffObjective.of(graph.sd(), ClassifierHead.LOSS, a.trainableNames(), a.lrMultipliers());
        return new Objective() {
            @Override
            public Map<String, INDArray> parameters() {
                return o.parameters();
            }

            @Override
            public Map<String, Double> lrMultipliers() {
                return o.lrMultipliers();
            }

            @Override
            public Result lossAndGradients(Map<String, INDArray> batch) {
                synchronized (SameDiffRunner.this) {
                    System.gc();
                    graph.pull(a);
                    return o.lossAndGradients(batch);
                }
            }

            @Override
            public void parametersChanged() {
                graph.push(a);
            }
        };
    }
}
