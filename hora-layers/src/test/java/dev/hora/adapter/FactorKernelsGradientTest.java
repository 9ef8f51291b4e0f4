package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.Activation;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FactorKernels#backward} against central finite differences of
 * {@code L = sum_k sum(F_k * G_k)} (fixed random G_k), in double, for HoRA on a tiny shape.
 */
class FactorKernelsGradientTest {

    @ParameterizedTest(name = "{0} {1} sharedPair={2}")
    @CsvSource({"TANH,DENSE,true", "TANH,FACTORISED,true", "GELU,DENSE,true", "GELU,FACTORISED,false"})
    void backwardMatchesFiniteDifferences(Activation act, ApplyMode mode, boolean sharedPair) {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(2).seedWidth(3).hiddenWidth(4)
                .activation(act).sharedPair(sharedPair).applyMode(mode).targets(Target.Q, Target.FFN_IN).build();
        Map<Target, ProjectionShape> shapes = Map.of(Target.Q, new ProjectionShape(4, 4, 2),
                Target.FFN_IN, new ProjectionShape(4, 6, 2));
        Adapter a = Adapters.create(cfg, shapes);
        Map<String, INDArray> p = TestParams.random(a, 5);
        FactorKernels k = new FactorKernels(Map.of(0, a), Map.of(0, p), FactorKernelsTest::name);
        Map<FactorSource.Key, FactorSource.Values> g = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(9);
        k.forward().forEach((key, v) -> g.put(key, new FactorSource.Values(v.mode(),
                FactorKernelsTest.random(rnd, v.a(), DataType.DOUBLE), FactorKernelsTest.random(rnd, v.b(), DataType.DOUBLE),
                FactorKernelsTest.random(rnd, v.deltaW(), DataType.DOUBLE))));
        Map<String, INDArray> analytic = k.backward(g);
        p.forEach((n, x) -> {
            double err = maxRelError(x, () -> loss(k, g), analytic.get(FactorKernelsTest.name(0, n)));
            assertTrue(err <= 1e-6, act + " " + mode + " d" + n + ": relative error " + err);
        });
    }

    /** L = sum_k sum(F_k * G_k) at the current parameters. */
    private static double loss(FactorKernels k, Map<FactorSource.Key, FactorSource.Values> g) {
        double l = 0;
        for (Map.Entry<FactorSource.Key, FactorSource.Values> e : k.forward().entrySet()) {
            FactorSource.Values v = e.getValue();
            FactorSource.Values w = g.get(e.getKey());
            l += v.mode() == ApplyMode.DENSE ? v.deltaW().mul(w.deltaW()).sumNumber().doubleValue()
                    : v.a().mul(w.a()).sumNumber().doubleValue() + v.b().mul(w.b()).sumNumber().doubleValue();
        }
        return l;
    }

    private static double maxRelError(INDArray x, java.util.function.DoubleSupplier loss, INDArray analytic) {
        return dev.hora.kernels.FiniteDifferences.maxRelError(x, loss::getAsDouble, analytic);
    }
}
