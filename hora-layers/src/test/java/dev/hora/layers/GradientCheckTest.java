package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gradients of the adapted layers against finite differences (double precision), in a
 * MultiLayerNetwork and a ComputationGraph, for every adapter kind; and the upstream M2.1 bug on DL4J's
 * own SelfAttentionLayer (gradients exactly 2x), so that a release fixing it is noticed.
 *
 * <p>Net: DL4J DenseLayer (checks the attention's input gradient) -> HoraSelfAttention (Q, V, O adapted)
 * -> avg pool (masked) -> AdaptedDense (tanh) -> softmax. Adapter parameters and biases are random and
 * non-zero (at init B = 0 would make some gradients trivially zero). GradientCheckUtil checks every
 * trainable tensor (subset of entries) and the DenseLayer before the attention (input gradient); the frozen
 * tensors are excluded there (their updater, Sgd(0), zeroes the gradient GradientCheckUtil reads) and checked
 * here with {@link FiniteDifferences} on the raw backprop gradient.
 */
class GradientCheckTest {
    private static final Logger LOG = LoggerFactory.getLogger(GradientCheckTest.class);
    private static DataType oldDefault;
    private static final int BATCH = 3;
    /** Entries checked per parameter tensor (evenly spaced), to keep the test fast. */
    private static final int PER_PARAM = 3;

    @BeforeAll
    static void doublePrecision() {
        oldDefault = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(oldDefault, oldDefault);
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void multiLayerNetwork(AdapterKind kind) {
        AdapterConfig a = TestNets.adapter(kind);
        MultiLayerNetwork net = TestNets.mln(DataType.DOUBLE, new NoOp(), TestNets.pre(),
                TestNets.horaAttention(a), TestNets.dense(a));
        randomise(net);
        INDArray x = TestNets.input(DataType.DOUBLE, BATCH, 3);
        INDArray m = TestNets.mask(DataType.DOUBLE, BATCH);
        INDArray y = TestNets.labels(DataType.DOUBLE, BATCH);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .inputMask(m).excludeParams(frozenKeys(net)).subset(true).maxPerParam(PER_PARAM).maxRelError(1e-5)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)));
        net.setInput(x);
        net.setLabels(y);
        net.setLayerMaskArrays(m, null);
        net.computeGradientAndScore();
        INDArray g = net.gradient().gradient().div(BATCH);   // DL4J divides by the batch in the updater
        DataSet ds = new DataSet(x, y, m, null);
        checkAll("MLN " + kind, net, frozenKeys(net), g, () -> net.score(ds, true), 1.0);
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void computationGraph(AdapterKind kind) {
        AdapterConfig a = TestNets.adapter(kind).toBuilder().applyMode(ApplyMode.FACTORISED).build();
        ComputationGraph net = TestNets.graph(DataType.DOUBLE, new NoOp(), TestNets.pre(),
                TestNets.horaAttention(a), TestNets.dense(a));
        randomise(net);
        INDArray x = TestNets.input(DataType.DOUBLE, BATCH, 4);
        INDArray m = TestNets.mask(DataType.DOUBLE, BATCH);
        INDArray y = TestNets.labels(DataType.DOUBLE, BATCH);
        assertTrue(GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[]{x}).labels(new INDArray[]{y}).inputMask(new INDArray[]{m})
                .excludeParams(frozenKeys(net)).subset(true).maxPerParam(PER_PARAM).maxRelError(1e-5)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)));
        MultiDataSet ds = new MultiDataSet(new INDArray[]{x}, new INDArray[]{y}, new INDArray[]{m}, null);
        net.setInputs(x);
        net.setLabels(y);
        net.setLayerMaskArrays(new INDArray[]{m}, null);
        net.computeGradientAndScore();
        INDArray g = net.gradient().gradient().div(BATCH);   // DL4J divides by the batch in the updater
        checkAll("CG " + kind, net, frozenKeys(net), g, () -> net.score(ds, true), 1.0);
    }

    /** Upstream behaviour: DL4J's SelfAttentionLayer returns exactly 2x the true gradients in M2.1. */
    @Test
    void upstreamSelfAttentionGradientsAreDoubled() {
        MultiLayerNetwork net = TestNets.mln(DataType.DOUBLE, new NoOp(), TestNets.pre(),
                TestNets.dl4jAttention(), null);
        INDArray x = TestNets.input(DataType.DOUBLE, BATCH, 5);
        INDArray m = TestNets.mask(DataType.DOUBLE, BATCH);
        INDArray y = TestNets.labels(DataType.DOUBLE, BATCH);
        assertFalse(GradientCheckUtil.checkGradients(new GradientCheckUtil.MLNConfig().net(net).input(x).labels(y)
                .inputMask(m).subset(true).maxPerParam(PER_PARAM).print(GradientCheckUtil.PrintMode.FAILURES_ONLY)),
                "DL4J's SelfAttentionLayer passes its gradient check: the M2.1 2x bug is fixed upstream;"
                        + " remove HalvedGradientSameDiffLayer's halving");
        net.setInput(x);
        net.setLabels(y);
        net.setLayerMaskArrays(m, null);
        net.computeGradientAndScore();
        INDArray g = net.gradient().gradient().div(BATCH);   // DL4J divides by the batch in the updater
        DataSet ds = new DataSet(x, y, m, null);
        // every parameter below the output layer (attention and the dense layer before it) is 2x
        checkAll("upstream SelfAttentionLayer", net, net.paramTable().keySet(), g, () -> net.score(ds, true), 2.0);
    }

    /**
     * Checks the parameters in {@code check} (keys of the flattened table); {@code expectedRatio} = backprop /
     * numeric below the output layers.
     */
    private static void checkAll(String what, Model net, Set<String> check, INDArray g,
                                 Supplier<Double> score, double expectedRatio) {
        long from = 0;
        double worstRel = 0;
        double worstAbs = 0;
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            long to = from + e.getValue().length();
            if (!check.contains(e.getKey())) {
                from = to;
                continue;
            }
            FiniteDifferences.Result r = FiniteDifferences.check(net, g, score, from, to, 2);
            boolean output = e.getKey().startsWith("out_") || e.getKey().startsWith(outputIndex(net) + "_");
            double ratio = output ? 1.0 : expectedRatio;
            LOG.info("{} {}: {}", what, e.getKey(), r);
            if (!Double.isNaN(r.medianRatio())) {
                assertEquals(ratio, r.medianRatio(), 1e-4, what + " " + e.getKey() + " gradient ratio");
            }
            if (ratio == 1.0) {
                assertEquals(0, r.failures(), what + " " + e.getKey() + ": " + r);
                worstRel = Math.max(worstRel, r.maxRelError());
                worstAbs = Math.max(worstAbs, r.maxAbsError());
            }
            from = to;
        }
        System.out.printf("%s: max relative error %.2e, max absolute error %.2e (%s)%n",
                what, worstRel, worstAbs, check.size() + " tensors");
    }

    private static String outputIndex(Model net) {
        return net instanceof MultiLayerNetwork mln ? String.valueOf(mln.getnLayers() - 1) : "out";
    }

    /** Random non-zero adapter parameters and biases of the adapted layers. */
    static void randomise(Model net) {
        Nd4j.getRandom().setSeed(99);
        for (Layer l : layers(net)) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                l.paramTable().forEach((n, v) -> {
                    if (!al.baseParamNames().contains(n) || n.startsWith("b")) {
                        v.assign(Nd4j.randn(DataType.DOUBLE, v.shape()).muli(0.5));
                    }
                });
            }
        }
    }

    /** Flattened-table keys of the frozen parameters ("1_Wq", "att_Wq", ...). */
    static Set<String> frozenKeys(Model net) {
        Set<String> s = new TreeSet<>();
        for (Layer l : layers(net)) {
            if (l.conf().getLayer() instanceof AbstractAdaptedLayer al) {
                String prefix = net instanceof MultiLayerNetwork ? String.valueOf(l.getIndex())
                        : l.conf().getLayer().getLayerName();
                al.baseParamNames().forEach(n -> s.add(prefix + "_" + n));
            }
        }
        return s;
    }

    static Layer[] layers(Model net) {
        return net instanceof MultiLayerNetwork m ? m.getLayers() : ((ComputationGraph) net).getLayers();
    }

}
