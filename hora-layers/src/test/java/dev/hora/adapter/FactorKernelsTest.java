package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.Activation;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.util.QuietStdout;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FactorKernels} against the SameDiff reference {@link FactorGraph}: same modes, same forward
 * values, same parameter gradients for random factor gradients, on random non-zero parameters of two
 * layers with targets Q, V and both FFN projections (d_in != d_out), for every kind, mode and HoRA variant.
 */
class FactorKernelsTest {

    static Stream<Arguments> cases() {
        Map<String, UnaryOperator<AdapterConfig.Builder>> variants = new LinkedHashMap<>();
        variants.put("default", b -> b);
        variants.put("rsLoRA", b -> b.rsLora(true).alpha(5));
        variants.put("dropout", b -> b.dropout(0.1));
        Map<String, UnaryOperator<AdapterConfig.Builder>> hora = new LinkedHashMap<>(variants);
        for (Activation act : Activation.values()) {
            hora.put(act.name(), b -> b.activation(act));
        }
        hora.put("perHeadOutput", b -> b.perHeadOutput(true));
        hora.put("perHeadOutput gelu", b -> b.perHeadOutput(true).activation(Activation.GELU));
        hora.put("sharedPair", b -> b.sharedPair(true));
        hora.put("sharedPair relu rsLoRA", b -> b.sharedPair(true).activation(Activation.RELU).rsLora(true));
        List<Arguments> out = new ArrayList<>();
        for (DataType dt : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            for (AdapterKind kind : AdapterKind.values()) {
                for (ApplyMode mode : new ApplyMode[]{ApplyMode.DENSE, ApplyMode.FACTORISED}) {
                    (kind == AdapterKind.HORA ? hora : variants).forEach((name, v) -> out.add(Arguments.of(
                            kind, mode, name, dt, v.apply(AdapterConfig.builder().kind(kind).applyMode(mode)))));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @MethodSource("cases")
    void kernelsMatchTheFactorGraph(AdapterKind kind, ApplyMode mode, String variant, DataType dt,
                                    AdapterConfig.Builder b) {
        double tol = dt == DataType.DOUBLE ? 1e-10 : 1e-5;
        AdapterConfig cfg = b.rank(3).seedWidth(4).hiddenWidth(5)
                .targets(Target.Q, Target.V, Target.FFN_IN, Target.FFN_OUT).build();
        Map<Integer, Adapter> adapters = new LinkedHashMap<>();
        Map<Integer, Map<String, INDArray>> params = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            Adapter a = Adapters.create(cfg, shapes());
            adapters.put(layer, a);
            Map<String, INDArray> p = new LinkedHashMap<>();
            TestParams.random(a, 17 + layer).forEach((n, v) -> p.put(n, v.castTo(dt)));
            params.put(layer, p);
        }
        FactorGraph graph = new FactorGraph(adapters, params, FactorKernelsTest::name);
        FactorKernels kernels = new FactorKernels(adapters, params, FactorKernelsTest::name);
        assertEquals(graph.modes(), kernels.modes());
        assertEquals(graph.parameters(), kernels.parameters());
        if (cfg.getDropout() > 0) {
            assertTrue(kernels.modes().values().stream().allMatch(m -> m == ApplyMode.FACTORISED));
        }

        Map<FactorSource.Key, FactorSource.Values> fg = graph.forward();
        Map<FactorSource.Key, FactorSource.Values> fk = kernels.forward();
        assertEquals(fg.keySet(), fk.keySet());
        Map<FactorSource.Key, FactorSource.Values> grads = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(3);
        fg.forEach((k, v) -> {
            FactorSource.Values w = fk.get(k);
            assertEquals(v.mode(), w.mode());
            assertClose(v.a(), w.a(), tol, k + " a");
            assertClose(v.b(), w.b(), tol, k + " b");
            assertClose(v.deltaW(), w.deltaW(), tol, k + " dW");
            grads.put(k, new FactorSource.Values(v.mode(), random(rnd, v.a(), dt), random(rnd, v.b(), dt),
                    random(rnd, v.deltaW(), dt)));
        });
        Map<String, INDArray> gg = QuietStdout.call(() -> graph.backward(grads));
        Map<String, INDArray> gk = kernels.backward(grads);
        assertEquals(graph.parameters().keySet(), gk.keySet());
        gg.forEach((n, g) -> assertClose(g, gk.get(n), tol, "d" + n));
    }

    /** Q, V [8, 8], FFN_IN [8, 12], FFN_OUT [12, 8], two heads each. */
    static Map<Target, ProjectionShape> shapes() {
        Map<Target, ProjectionShape> s = new EnumMap<>(Target.class);
        s.put(Target.Q, new ProjectionShape(8, 8, 2));
        s.put(Target.V, new ProjectionShape(8, 8, 2));
        s.put(Target.FFN_IN, new ProjectionShape(8, 12, 2));
        s.put(Target.FFN_OUT, new ProjectionShape(12, 8, 2));
        return s;
    }

    static String name(int layer, String p) {
        return "adapter.layer." + layer + "." + p;
    }

    static INDArray random(SplittableRandom rnd, INDArray like, DataType dt) {
        return like == null ? null : Inits.uniform(rnd, 1.0, dt, like.shape());
    }

    /** max |expected - actual| <= tol max |expected| (and both null, or both not). */
    static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        if (expected == null || actual == null) {
            assertEquals(expected == null, actual == null, what + ": one is null");
            return;
        }
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what + " shape");
        assertEquals(expected.dataType(), actual.dataType(), what + " data type");
        INDArray e = expected.castTo(DataType.DOUBLE);
        double scale = Math.max(e.amaxNumber().doubleValue(), 1e-30);
        double err = e.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
        assertTrue(err <= tol, what + ": relative error " + err + " > " + tol);
    }
}
