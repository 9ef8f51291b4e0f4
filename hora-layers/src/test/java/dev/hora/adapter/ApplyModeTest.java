package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** DENSE x (W + dW) + b and FACTORISED x W + b + [(x A_i) B_i] give the same output, and it is x W + b + x dW. */
class ApplyModeTest {

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void denseEqualsFactorised(AdapterKind kind) {
        AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(2).targets(Target.V).build();
        ProjectionShape s = new ProjectionShape(12, 8, 4);
        Adapter adapter = Adapters.create(cfg, Map.of(Target.V, s));
        Map<String, INDArray> p = TestParams.random(adapter, 3);
        INDArray x = Inits.uniform(new SplittableRandom(1), 1, DataType.DOUBLE, 5, 12);
        INDArray w = Inits.uniform(new SplittableRandom(2), 1, DataType.DOUBLE, 12, 8);
        INDArray b = Inits.uniform(new SplittableRandom(3), 1, DataType.DOUBLE, 8);

        INDArray dense = run(adapter, p, x, w, b, s, ApplyMode.DENSE);
        INDArray fact = run(adapter, p, x, w, b, s, ApplyMode.FACTORISED);
        INDArray auto = run(adapter, p, x, w, b, s, ApplyMode.AUTO);
        assertEquals(0, auto.sub(dense).amaxNumber().doubleValue(), 1e-12);
        SameDiff g = SameDiff.create();
        int groups = adapter.factors(g, TestParams.vars(g, p), Target.V).groups();
        assertEquals(kind == AdapterKind.LORA ? ApplyMode.FACTORISED : ApplyMode.DENSE, ApplyMode.AUTO.resolve(groups),
                "AUTO: factorised for LoRA, dense for per-head factors");
        INDArray expected = x.mmul(w.add(Adapters.deltaW(adapter, p, Target.V))).addRowVector(b);

        assertEquals(0, dense.sub(fact).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0, dense.sub(expected).amaxNumber().doubleValue(), 1e-12);
        assertTrue(dense.sub(x.mmul(w).addRowVector(b)).amaxNumber().doubleValue() > 1e-3,
                "the random adapter changes the output");
    }

    private static INDArray run(Adapter adapter, Map<String, INDArray> p, INDArray x, INDArray w, INDArray b,
                                ProjectionShape s, ApplyMode mode) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = TestParams.vars(sd, p);
        SDVariable in = sd.constant("x", x);
        SDVariable y = AdapterOps.project(sd, in, in, sd.constant("w", w), sd.constant("b", b),
                adapter.factors(sd, vars, Target.V), s, mode);
        return y.eval();
    }
}
