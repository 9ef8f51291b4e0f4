package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.validation.GradCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** SameDiff's gradients of the adapter ops agree with central finite differences (double). */
class GradientCheckTest {
    private static DataType previous;

    @BeforeAll
    static void doublePrecision() {
        previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
    }

    @ParameterizedTest
    @CsvSource({"LORA,DENSE,false", "LORA,FACTORISED,false", "MH_LORA,DENSE,false", "MH_LORA,FACTORISED,false",
            "HORA,DENSE,false", "HORA,FACTORISED,false", "HORA,DENSE,true"})
    void adapterGradientsMatchFiniteDifferences(AdapterKind kind, ApplyMode mode, boolean perHead) {
        AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(2).targets(Target.Q, Target.V)
                .seedWidth(3).hiddenWidth(4).perHeadOutput(perHead).build();
        Map<Target, ProjectionShape> shapes = new EnumMap<>(Target.class);
        shapes.put(Target.Q, new ProjectionShape(6, 4, 2));
        shapes.put(Target.V, new ProjectionShape(6, 4, 2));
        Adapter a = Adapters.create(cfg, shapes);
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = TestParams.vars(sd, TestParams.random(a, 11));
        SDVariable x = sd.var("x", Inits.uniform(new SplittableRandom(5), 1, DataType.DOUBLE, 3, 6));
        SDVariable loss = null;
        for (Target t : shapes.keySet()) {
            SDVariable w = sd.constant(t + "W", Inits.uniform(new SplittableRandom(t.ordinal()), 1, DataType.DOUBLE, 6, 4));
            SDVariable y = AdapterOps.project(sd, x, x, w, null, a.factors(sd, vars, t), shapes.get(t), mode);
            SDVariable l = sd.math.tanh(y).mul(y).sum();
            loss = loss == null ? l : loss.add(l);
        }
        loss.markAsLoss();
        assertTrue(GradCheckUtil.checkGradients(sd, null, 1e-6, 1e-5, 1e-9, false, false),
                kind + " " + mode + " gradient check");
    }
}
