package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.Activation;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.HoraInit;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The HoRA variants of AdapterConfig: dW equals a plain-Java loop reference (double), dW = 0 at init,
 * and the parameter counts equal their closed forms.
 */
class HoraVariantsTest {
    private static final int H = 2;
    private static final int R = 3;
    private static final int E = 4;
    private static final int K = 5;

    @ParameterizedTest(name = "{0} shared={1} learnableSeeds={2}")
    @CsvSource({"TANH,false,true", "TANH,true,true", "RELU,true,false", "SIGMOID,false,false",
            "IDENTITY,true,true", "RELU,false,true"})
    void deltaWMatchesPlainJava(Activation act, boolean shared, boolean learnable) {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(R).alpha(5).targets(Target.Q, Target.O)
                .seedWidth(E).hiddenWidth(K).activation(act).sharedPair(shared).learnableSeeds(learnable)
                .generatorLrMultiplier(2).initScaleA(0.5).build();
        Map<Target, ProjectionShape> shapes = new EnumMap<>(Target.class);
        shapes.put(Target.Q, new ProjectionShape(6, 8, H));
        shapes.put(Target.O, new ProjectionShape(8, 8, H));
        Adapter adapter = Adapters.create(cfg, shapes);
        Map<String, INDArray> p = TestParams.random(adapter, 11);
        for (Target t : shapes.keySet()) {
            double[][] expected = reference(p, t, shapes.get(t), cfg.scale(), shared, fn(act));
            INDArray actual = Adapters.deltaW(adapter, p, t);
            for (int i = 0; i < expected.length; i++) {
                for (int j = 0; j < expected[0].length; j++) {
                    assertEquals(expected[i][j], actual.getDouble(i, j), 1e-12, t + " [" + i + "," + j + "]");
                }
            }
        }
    }

    @ParameterizedTest(name = "shared={0} learnableSeeds={1} init={2} scaleA={3} act={4}")
    @CsvSource({"false,true,LORA_SCALED,1,TANH", "true,true,LORA_SCALED,1,TANH", "true,false,XAVIER,0.25,RELU",
            "false,false,LORA_SCALED,3,GELU", "true,true,XAVIER,1,SIGMOID"})
    void deltaWIsZeroAtInitAndCountsHaveClosedForms(boolean shared, boolean learnable, HoraInit init, double scaleA,
                                                    Activation act) {
        long d = 32;
        int heads = 4;
        int r = 2;
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(r).seedWidth(E).hiddenWidth(K)
                .sharedPair(shared).learnableSeeds(learnable).horaInit(init).initScaleA(scaleA).activation(act).build();
        Adapter a = Adapters.forAttention(cfg, d, heads);
        Map<String, INDArray> p = a.initParams(DataType.DOUBLE);
        for (Target t : cfg.getTargets()) {
            assertEquals(0.0, Adapters.deltaW(a, p, t).amaxNumber().doubleValue(), 0.0, "dW = 0 at init, " + t);
        }
        int nT = 2;
        long seeds = (long) nT * heads * r * E + (shared ? (long) nT * r * E : 0);
        long generator = (long) E * K + K + (long) nT * (K + 1) * d + (long) nT * (K + 1) * (d / heads);
        assertEquals(seeds + generator, a.numParams(), "all adapter scalars");
        assertEquals(learnable ? seeds + generator : generator, a.numTrainableParams(), "trainable scalars");
        assertEquals(a.numParams(), p.values().stream().mapToLong(INDArray::length).sum(), "initParams = paramShapes");
    }

    @Test
    void initScaleAMultipliesTheGeneratedFactors() {
        long dIn = 384;
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(8).build();
        for (double scale : new double[]{0.5, 2.0}) {
            Adapter a = Adapters.forAttention(cfg.toBuilder().initScaleA(scale).build(), dIn, 12);
            assertEquals(scale / Math.sqrt(3.0 * dIn), generatedAStd(a), 1e-9, "std(A) = scale / sqrt(3 d_in)");
        }
    }

    @Test
    void seedsAndGeneratorAreTaggedForTheOptimizer() {
        Adapter a = Adapters.forAttention(AdapterConfig.builder().kind(AdapterKind.HORA).learnableSeeds(false)
                .sharedPair(true).generatorLrMultiplier(4).build(), 16, 2);
        assertFalse(a.trainable("qZ"));
        assertFalse(a.trainable("vZs"));
        assertTrue(a.trainable("W1") && a.trainable("qW2B") && a.trainable("vcA"));
        assertEquals(1.0, a.lrMultiplier("qZ"));
        for (String n : new String[]{"W1", "b1", "qW2A", "qcA", "vW2B", "vcB"}) {
            assertEquals(4.0, a.lrMultiplier(n), n);
        }
        Adapter lora = Adapters.forAttention(AdapterConfig.builder().kind(AdapterKind.LORA).build(), 16, 2);
        assertEquals(1.0, lora.lrMultiplier("qA"));
        assertEquals(lora.numParams(), lora.numTrainableParams());
    }

    private static DoubleUnaryOperator fn(Activation act) {
        return switch (act) {
            case TANH -> Math::tanh;
            case RELU -> x -> Math.max(0, x);
            case SIGMOID -> x -> 1 / (1 + Math.exp(-x));
            case IDENTITY -> x -> x;
            case GELU -> throw new IllegalArgumentException("no reference for GELU");
        };
    }

    /** dW[:, head h] = s (sum_j a_{h,j} b_{h,j}^T + [shared] sum_j a_{s,j} b_{s,j}^T), all from one generator. */
    private static double[][] reference(Map<String, INDArray> p, Target t, ProjectionShape sh, double s, boolean shared,
                                        DoubleUnaryOperator act) {
        String n = t.prefix();
        int dIn = (int) sh.dIn();
        int dh = (int) sh.dHead();
        double[][] dw = new double[dIn][(int) sh.dOut()];
        for (int h = 0; h < H; h++) {
            for (int j = 0; j < R; j++) {
                addPair(dw, p, n, p.get(n + "Z"), h * R + j, h, dIn, dh, s, act);
                if (shared) {
                    addPair(dw, p, n, p.get(n + "Zs"), j, h, dIn, dh, s, act);
                }
            }
        }
        return dw;
    }

    private static void addPair(double[][] dw, Map<String, INDArray> p, String n, INDArray z, int row, int h, int dIn,
                                int dh, double s, DoubleUnaryOperator act) {
        double[] u = new double[K];
        for (int kk = 0; kk < K; kk++) {
            double acc = p.get("b1").getDouble(0, kk);
            for (int m = 0; m < E; m++) {
                acc += z.getDouble(row, m) * p.get("W1").getDouble(m, kk);
            }
            u[kk] = act.applyAsDouble(acc);
        }
        double[] a = new double[dIn];
        for (int d = 0; d < dIn; d++) {
            a[d] = p.get(n + "cA").getDouble(0, d);
            for (int kk = 0; kk < K; kk++) {
                a[d] += u[kk] * p.get(n + "W2A").getDouble(kk, d);
            }
        }
        double[] b = new double[dh];
        for (int c = 0; c < dh; c++) {
            b[c] = p.get(n + "cB").getDouble(0, c);
            for (int kk = 0; kk < K; kk++) {
                b[c] += u[kk] * p.get(n + "W2B").getDouble(kk, c);
            }
        }
        for (int d = 0; d < dIn; d++) {
            for (int c = 0; c < dh; c++) {
                dw[d][h * dh + c] += s * a[d] * b[c];
            }
        }
    }

    private static double generatedAStd(Adapter a) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        a.initParams(DataType.DOUBLE).forEach((n, v) -> vars.put(n, sd.constant(n, v)));
        return a.factors(sd, vars, Target.Q).a().eval().stdNumber().doubleValue();
    }
}
