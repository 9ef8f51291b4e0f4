package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.HoraInit;
import dev.hora.config.Target;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Initialisation rules of docs/METHOD.md. */
class InitTest {

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void deltaWIsZeroAtInitButTheGradientIsNot(AdapterKind kind) {
        AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(4).build();
        Adapter a = Adapters.forAttention(cfg, 32, 4);
        Map<String, INDArray> p = a.initParams(DataType.DOUBLE);
        for (Target t : cfg.getTargets()) {
            assertEquals(0.0, Adapters.deltaW(a, p, t).amaxNumber().doubleValue(), 0.0, "dW = 0 at init");
        }
        // d/dparams of sum((x dW)^2 + x dW . g) with a random g: B (LoRA) / W2B (HoRA) get a gradient
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = TestParams.vars(sd, p);
        SDVariable x = sd.constant(Nd4j.rand(DataType.DOUBLE, 3, 32));
        SDVariable g = sd.constant(Nd4j.rand(DataType.DOUBLE, 3, 32));
        SDVariable dw = AdapterOps.deltaW(sd, a.factors(sd, vars, Target.Q), new ProjectionShape(32, 32, 4));
        x.mmul(dw).mul(g).sum().markAsLoss();
        Map<String, INDArray> grads = sd.calculateGradients(null, vars.keySet());
        String bName = kind == AdapterKind.HORA ? "qW2B" : "qB";
        assertTrue(grads.get(bName).amaxNumber().doubleValue() > 1e-6, bName + " gets a gradient at step 0");
    }

    @Test
    void horaGeneratesFactorsAtLoraScale() {
        long dIn = 384;
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(8).build();
        Adapter hora = Adapters.forAttention(cfg, dIn, 12);
        double std = generatedAStd(hora, hora.initParams(DataType.DOUBLE));
        assertEquals(1 / Math.sqrt(3.0 * dIn), std, 1e-9, "LORA_SCALED: std of generated A = 1/sqrt(3 d_in)");

        Adapter plain = Adapters.forAttention(cfg.toBuilder().horaInit(HoraInit.XAVIER).build(), dIn, 12);
        double plainStd = generatedAStd(plain, plain.initParams(DataType.DOUBLE));
        assertTrue(plainStd > 3 / Math.sqrt(3.0 * dIn), "plain Xavier is several times larger: " + plainStd);

        Adapter lora = Adapters.forAttention(cfg.toBuilder().kind(AdapterKind.LORA).build(), dIn, 12);
        double loraStd = lora.initParams(DataType.DOUBLE).get("qA").stdNumber().doubleValue();
        assertEquals(1 / Math.sqrt(3.0 * dIn), loraStd, 0.05 / Math.sqrt(3.0 * dIn), "LoRA's Kaiming-uniform A");
    }

    @Test
    void initIsDeterministicInTheSeed() {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).build();
        Map<String, INDArray> p1 = Adapters.forAttention(cfg, 16, 2).initParams(DataType.FLOAT);
        Map<String, INDArray> p2 = Adapters.forAttention(cfg, 16, 2).initParams(DataType.FLOAT);
        Map<String, INDArray> p3 = Adapters.forAttention(cfg.toBuilder().seed(43).build(), 16, 2)
                .initParams(DataType.FLOAT);
        assertEquals(p1, p2);
        assertNotEquals(p1.get("qZ"), p3.get("qZ"));
    }

    /** Each layer draws its own streams: two layers do not start identical (the A / Z / W2A draws differ). */
    @Test
    void layersStartFromDifferentValues() {
        for (AdapterKind kind : AdapterKind.values()) {
            Adapter a = Adapters.forAttention(AdapterConfig.builder().kind(kind).build(), 16, 2);
            Map<String, INDArray> l0 = a.initParams(DataType.FLOAT, 0);
            Map<String, INDArray> l1 = a.initParams(DataType.FLOAT, 1);
            assertEquals(l0, a.initParams(DataType.FLOAT), kind + ": the one-argument form is layer 0");
            assertEquals(l1, a.initParams(DataType.FLOAT, 1), kind + ": deterministic per layer");
            String random = kind == AdapterKind.HORA ? "qZ" : "qA";
            assertNotEquals(l0.get(random), l1.get(random), kind + " " + random);
            assertEquals(l0.get(random).stdNumber().doubleValue(), l1.get(random).stdNumber().doubleValue(),
                    0.2 * l0.get(random).stdNumber().doubleValue(), kind + ": same distribution");
        }
    }

    private static double generatedAStd(Adapter a, Map<String, INDArray> p) {
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> vars = new HashMap<>();
        p.forEach((n, v) -> vars.put(n, sd.constant(n, v)));
        return a.factors(sd, vars, Target.Q).a().eval().stdNumber().doubleValue();
    }
}
