package dev.hora.peft;

import dev.hora.adapter.FactorGraph;
import dev.hora.adapter.FactorSource;
import dev.hora.backbone.AdapterRows;
import dev.hora.backbone.Backbone;
import dev.hora.backbone.Dropouts;
import dev.hora.kernels.SoftmaxCrossEntropy;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.kernel.KernelObjective;
import dev.hora.train.Objective;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The kernel engines' {@link Runner}: one backbone pass for the whole batch, each row group with its
 * adapter's cached factors ({@link AdapterSet#inferenceFactors}), then per group its pooling and head:
 * <pre>
 *   h [B S, d] = backbone(ids, rows_k -> F_k)        pooled = M h (one GEMM per pooling kind)     p_k = softmax(pooled[rows_k] W_k + b_k)
 * </pre>
 * Training goes through {@link KernelObjective}, the adapter's factors by its {@code FactorKernels}
 * or, with {@code factorGraph}, by the SameDiff {@link FactorGraph}. Thread-safe.
 */
final class KernelRunner implements Runner {
    private final Backbone backbone;
    private final boolean factorGraph;

    KernelRunner(Backbone backbone, boolean factorGraph) {
        this.backbone = backbone;
        this.factorGraph = factorGraph;
    }

    @Override
    public INDArray run(Output what, INDArray ids, INDArray mask, INDArray types, List<Group> groups, Pooling basePooling) {
        int b = (int) ids.size(0);
        int s = (int) ids.size(1);
        int d = backbone.hiddenSize();
        int width = Runner.width(what, groups, d);
        List<AdapterRows.Segment> segments = new ArrayList<>();
        for (Group g : groups) {
            segments.add(new AdapterRows.Segment(g.from(), g.to(), g.adapter() == null ? Map.of()
                    : g.adapter().inferenceFactors()));
        }
        try (MemoryWorkspace ws = Workspaces.open(Workspaces.INFER)) {
            INDArray h = backbone.forward(ids, mask, types, new AdapterRows(segments), false, Dropouts.NONE).hidden();
            if (what == Output.HIDDEN) {
                return h.reshape(b, s, d).detach();
            }
            INDArray out = Nd4j.create(backbone.dataType(), b, width);
            Map<Pooling, INDArray> pooledBy = new EnumMap<>(Pooling.class);   // one pooling GEMM per kind, all rows
            for (Group g : groups) {
                Pooling pooling = g.adapter() == null ? basePooling : g.adapter().pooling();
                INDArray pooled = pooledBy.computeIfAbsent(pooling,
                        p -> dev.hora.kernels.Pooling.forward(poolingMatrix(p, mask), h));
                boolean whole = g.from() == 0 && g.to() == b;
                INDArray rows = whole ? pooled
                        : pooled.get(NDArrayIndex.interval(g.from(), g.to()), NDArrayIndex.all()).dup('c');
                INDArray r = what == Output.POOLED ? rows : SoftmaxCrossEntropy.probabilities(rows,
                        g.adapter().headParams().get(ClassifierHead.WEIGHT), g.adapter().headParams().get(ClassifierHead.BIAS));
                if (whole) {
                    return r.detach();
                }
                out.get(NDArrayIndex.interval(g.from(), g.to()), NDArrayIndex.all()).assign(r);
            }
            return out.detach();
        }
    }

    /** The pooling matrix [B, B S] of a batch's mask [B, S]. */
    INDArray poolingMatrix(Pooling pooling, INDArray mask) {
        return pooling == Pooling.MEAN ? dev.hora.kernels.Pooling.meanMatrix(mask, backbone.dataType())
                : dev.hora.kernels.Pooling.clsMatrix((int) mask.size(0), (int) mask.size(1), backbone.dataType());
    }

    @Override
    public Objective objective(AdapterSet a) {
        if (a.numClasses() == 0) {
            throw new IllegalArgumentException("adapter '" + a.name() + "' has no classification head to train");
        }
        FactorSource fs = a.layers().isEmpty() ? null : factorGraph
                ? new FactorGraph(a.layers(), a.layerParams(), AdapterSet::varName) : a.factorKernels();
        double dropout = a.config() == null ? 0 : a.config().getDropout();
        long seed = a.config() == null ? 0 : a.config().getSeed();
        return new KernelObjective(backbone, fs, a.trainable(), a.lrMultipliers(), a.pooling() == Pooling.MEAN,
                dropout, seed, a::parametersChanged);
    }
}
