package dev.hora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;

class TrainerTest {

    @Test
    void lossGoesDownAndFrozenTensorsStayBitIdentical() {
        SameDiff sd = TrainGraphs.logistic(DataType.FLOAT, 1);
        SDVariable extra = sd.var("notTrained", Nd4j.ones(DataType.FLOAT, 1, 1));
        sd.getVariable("loss").add(extra.mul(0.0)).rename("loss2");
        INDArray f0 = sd.getArrForVarName("F").dup();
        Trainer t = Trainer.builder().objective(SameDiffObjective.of(sd, "loss2", java.util.List.of("w", "b")))
                .updater(new Adam(0.05)).build();
        Map<String, INDArray> eval = TrainGraphs.batch(DataType.FLOAT, 1, 10_000, 256);
        float first = t.step(eval);
        for (int i = 0; i < 150; i++) {
            t.step(TrainGraphs.batch(DataType.FLOAT, 1, i, 64));
        }
        float last = sd.output(eval, "loss").get("loss").getFloat(0);
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
        assertEquals(f0, sd.getArrForVarName("F"), "frozen constant changed");
        assertTrue(sd.getArrForVarName("notTrained").equals(Nd4j.ones(DataType.FLOAT, 1, 1)));
        assertEquals(151, t.iteration());
    }

    @Test
    void theFirstStepKeepsSameDiffsGradientNoiseOffStdout() {
        SameDiff sd = TrainGraphs.logistic(DataType.FLOAT, 1);
        Trainer t = Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w", "b"))).build();
        java.io.PrintStream original = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true));
        try {
            t.step(TrainGraphs.batch(DataType.FLOAT, 1, 0, 8));
            System.out.println("kept");
        } finally {
            System.setOut(original);
        }
        assertEquals("kept" + System.lineSeparator(), captured.toString(), "only our own line reaches stdout");
    }

    /**
     * loss = sum(w * x), so g = x. ND4J's Adam (t = 0-based iteration):
     * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr sqrt(1-b2^(t+1))/(1-b1^(t+1)) m/(sqrt(v)+eps).
     * eps = 0.1 is large on purpose, so the place of eps (outside the bias correction) is tested too.
     */
    @Test
    void adamStepsEqualTheClosedForm() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 0.1, wd = 0.05;
        double[] w = {0.5, -1.0, 2.0};
        double[][] xs = {{1.0, -2.0, 0.5}, {0.3, 0.7, -4.0}, {-1.5, 0.2, 1.0}};
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 1, 3);
        SDVariable wv = sd.var("w", Nd4j.createFromArray(new double[][]{w.clone()}));
        wv.mul(x).sum().rename("loss");
        Trainer t = Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w")))
                .updater(new Adam(lr, b1, b2, eps)).weightDecay(wd).build();
        double[] m = new double[3], v = new double[3];
        for (int step = 0; step < xs.length; step++) {
            double loss = 0;
            for (int j = 0; j < 3; j++) {
                loss += w[j] * xs[step][j];
            }
            float got = t.step(Map.of("x", Nd4j.createFromArray(new double[][]{xs[step]})));
            assertEquals(loss, got, 1e-6);
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, step + 1)) / (1 - Math.pow(b1, step + 1));
            for (int j = 0; j < 3; j++) {
                double g = xs[step][j];
                m[j] = b1 * m[j] + (1 - b1) * g;
                v[j] = b2 * v[j] + (1 - b2) * g * g;
                w[j] -= alpha * m[j] / (Math.sqrt(v[j]) + eps) + lr * wd * w[j];
            }
            INDArray now = sd.getArrForVarName("w");
            for (int j = 0; j < 3; j++) {
                assertEquals(w[j], now.getDouble(0, j), 1e-12, "step " + step + ", w[" + j + "]");
            }
        }
    }

    @Test
    void clipsByGlobalNorm() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.DOUBLE, 1, 2);
        SDVariable a = sd.var("a", Nd4j.zeros(DataType.DOUBLE, 1, 2));
        SDVariable c = sd.var("c", Nd4j.zeros(DataType.DOUBLE, 1, 1));
        a.mul(x).sum().add(c.mul(12.0).sum()).rename("loss");                 // g_a = x, g_c = 12
        Trainer t = Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("a", "c")))
                .updater(new Sgd(1.0)).maxGradNorm(1.3).build();
        t.step(Map.of("x", Nd4j.createFromArray(new double[][]{{3.0, 4.0}})));   // ||(3, 4, 12)|| = 13
        assertEquals(13.0, t.lastGradNorm(), 1e-12);
        double k = 1.3 / (13.0 + GlobalNormClipping.EPS);
        assertEquals(-3 * k, sd.getArrForVarName("a").getDouble(0, 0), 1e-12);
        assertEquals(-4 * k, sd.getArrForVarName("a").getDouble(0, 1), 1e-12);
        assertEquals(-12 * k, sd.getArrForVarName("c").getDouble(0, 0), 1e-12);
    }

    @Test
    void scheduleDrivesTheLearningRate() {
        SameDiff sd = SameDiff.create();
        SDVariable a = sd.var("a", Nd4j.zeros(DataType.DOUBLE, 1, 1));
        a.add(0.0).sum().rename("loss");                                      // g = 1
        Trainer t = Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("a")))
                .updater(new Sgd(new LinearWarmupSchedule(1.0, 2, 6))).build();
        double[] expectLr = {0, 0.5, 1.0, 0.75, 0.5, 0.25, 0, 0};
        double sum = 0;
        for (int i = 0; i < expectLr.length; i++) {
            assertEquals(expectLr[i], t.learningRate(), 1e-12, "lr at step " + i);
            t.step(Map.of());
            sum += expectLr[i];
            assertEquals(-sum, sd.getArrForVarName("a").getDouble(0), 1e-12);
        }
    }

    @Test
    void rejectsConstantsAndUnknownNames() {
        SameDiff sd = TrainGraphs.logistic(DataType.FLOAT, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w", "F"))).build());
        assertTrue(e.getMessage().contains("'F'") && e.getMessage().contains("CONSTANT"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().objective(SameDiffObjective.of(sd, "nope", java.util.List.of("w"))).build());
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w", "zz"))).build());
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w", "w"))).build());
        assertTrue(e.getMessage().contains("duplicates"), e.getMessage());
    }
}
