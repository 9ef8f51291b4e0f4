package dev.hora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Nesterovs;

/**
 * The fused Adam step against ND4J's updater ops on the same trainer settings (schedule, weight decay, a learning-rate
 * multiplier, clipping that triggers), and against the closed form in double precision.
 */
class FusedAdamTest {
    /** loss = sum_p <theta_p, x_p> for a fresh random x_p each step, so g_p = x_p (drawn from the step number). */
    private static final class Linear implements Objective {
        private final Map<String, INDArray> params = new LinkedHashMap<>();
        private int step;

        Linear() {
            params.put("w", Nd4j.rand(DataType.FLOAT, 3, 4).subi(0.5));
            params.put("h", Nd4j.rand(DataType.FLOAT, 5).subi(0.5));
        }

        @Override
        public Map<String, INDArray> parameters() {
            return params;
        }

        @Override
        public Result lossAndGradients(Map<String, INDArray> batch) {
            Random r = new Random(100 + step++);
            Map<String, INDArray> g = new LinkedHashMap<>();
            double loss = 0;
            for (Map.Entry<String, INDArray> e : params.entrySet()) {
                float[] x = new float[(int) e.getValue().length()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian() * (step % 2 == 0 ? 3f : 0.2f);   // every other step clipped
                }
                INDArray xa = Nd4j.createFromArray(x).reshape(e.getValue().shape());
                loss += xa.mul(e.getValue()).sumNumber().doubleValue();
                g.put(e.getKey(), xa);
            }
            return new Result(loss, g);
        }
    }

    private static Trainer trainer(Linear o, boolean fused) {
        return Trainer.builder().objective(o).adam(3e-2, 2, 8).weightDecay(0.01).maxGradNorm(1.0)
                .lrMultipliers(Map.of("h", 10.0)).fusedAdam(fused).build();
    }

    @Test
    void equalsNd4jsUpdaterOps() {
        Nd4j.getRandom().setSeed(7);
        Linear a = new Linear();
        Linear b = new Linear();
        b.params.forEach((n, p) -> p.assign(a.params.get(n)));
        Trainer fused = trainer(a, true);
        Trainer ref = trainer(b, false);
        INDArray probe = a.params.get("w");
        assertTrue(FusedAdam.applies(new Adam(), probe, probe, Nd4j.zeros(DataType.FLOAT, 1, 2 * probe.length())),
                "the fused step applies to these tensors");
        for (int s = 0; s < 8; s++) {
            fused.step(Map.of());
            ref.step(Map.of());
            for (String n : a.params.keySet()) {
                INDArray x = a.params.get(n);
                INDArray y = b.params.get(n);
                double err = x.sub(y).norm2Number().doubleValue() / y.norm2Number().doubleValue();
                assertTrue(err < 1e-6, "step " + s + ", " + n + ": rel err " + err);
            }
        }
        Map<String, INDArray> sa = fused.state();
        Map<String, INDArray> sb = ref.state();
        assertEquals(sb.keySet(), sa.keySet());
        for (String k : sb.keySet()) {
            assertTrue(sa.get(k).equalsWithEps(sb.get(k), 1e-6), k + ": the [m | v] layout ND4J keeps");
        }
    }

    /** Float Adam with a large eps and weight decay against the closed form in double. */
    @Test
    void equalsTheClosedForm() {
        double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 0.1, wd = 0.05;
        Linear o = new Linear();
        double[] w = o.params.get("h").castTo(DataType.DOUBLE).toDoubleVector();
        Trainer t = Trainer.builder().objective(new Objective() {
            @Override
            public Map<String, INDArray> parameters() {
                return Map.of("h", o.params.get("h"));
            }

            @Override
            public Result lossAndGradients(Map<String, INDArray> batch) {
                Result r = o.lossAndGradients(batch);
                return new Result(r.loss(), Map.of("h", r.gradients().get("h")));
            }
        }).updater(new Adam(lr, b1, b2, eps)).weightDecay(wd).build();
        double[] m = new double[w.length];
        double[] v = new double[w.length];
        for (int step = 0; step < 4; step++) {
            Random r = new Random(100 + step);
            double[] g = new double[w.length];
            for (int i = 0; i < 12; i++) {
                r.nextGaussian();   // w's draws come first
            }
            for (int i = 0; i < w.length; i++) {
                g[i] = (float) r.nextGaussian() * (step % 2 == 1 ? 3f : 0.2f);
            }
            t.step(Map.of());
            double alpha = lr * Math.sqrt(1 - Math.pow(b2, step + 1)) / (1 - Math.pow(b1, step + 1));
            for (int i = 0; i < w.length; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + eps) + lr * wd * w[i];
                assertEquals(w[i], o.params.get("h").getDouble(i), 1e-6, "step " + step + ", h[" + i + "]");
            }
        }
    }

    @Test
    void otherUpdatersAndTypesKeepNd4jsPath() {
        INDArray f = Nd4j.zeros(DataType.FLOAT, 4);
        INDArray s = Nd4j.zeros(DataType.FLOAT, 1, 8);
        assertFalse(FusedAdam.applies(new Nesterovs(), f, f, s));
        INDArray d = Nd4j.zeros(DataType.DOUBLE, 4);
        assertFalse(FusedAdam.applies(new Adam(), d, d, Nd4j.zeros(DataType.DOUBLE, 1, 8)));
        INDArray view = Nd4j.zeros(DataType.FLOAT, 4, 4).getColumn(1);
        assertFalse(FusedAdam.applies(new Adam(), view, f, s), "a strided view");
    }
}
