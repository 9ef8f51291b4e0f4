package dev.hora.adapter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * dW computed by the SameDiff adapters equals docs/METHOD.md's formulas computed independently in plain
 * Java loops from the same (random, non-zero) parameter values, in double precision.
 */
class ReferenceDeltaWTest {

    private static final long D_IN = 6;
    private static final long D_OUT = 8;
    private static final int H = 2;
    private static final int R = 3;

    @ParameterizedTest
    @CsvSource({"LORA,false,false", "MH_LORA,false,false", "HORA,false,false", "HORA,true,false",
            "HORA,false,true", "LORA,false,true"})
    void deltaWMatchesPlainJava(AdapterKind kind, boolean perHead, boolean rsLora) {
        AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(R).alpha(5).rsLora(rsLora)
                .targets(Target.Q, Target.O).seedWidth(4).hiddenWidth(5).perHeadOutput(perHead).build();
        Map<Target, ProjectionShape> shapes = new EnumMap<>(Target.class);
        shapes.put(Target.Q, new ProjectionShape(D_IN, D_OUT, H));
        shapes.put(Target.O, new ProjectionShape(D_OUT, D_OUT, H));
        Adapter adapter = Adapters.create(cfg, shapes);
        Map<String, INDArray> p = TestParams.random(adapter, 7);
        for (Target t : shapes.keySet()) {
            ProjectionShape s = shapes.get(t);
            double[][] expected = switch (kind) {
                case LORA -> lora(p, t, cfg.scale());
                case MH_LORA -> mhLora(p, t, s, cfg.scale());
                case HORA -> hora(p, t, s, cfg);
            };
            INDArray actual = Adapters.deltaW(adapter, p, t);
            assertArrayEquals(new long[]{s.dIn(), s.dOut()}, actual.shape());
            for (int i = 0; i < s.dIn(); i++) {
                for (int j = 0; j < s.dOut(); j++) {
                    assertEquals(expected[i][j], actual.getDouble(i, j), 1e-12, kind + " " + t + " [" + i + "," + j + "]");
                }
            }
        }
    }

    private static double[][] lora(Map<String, INDArray> p, Target t, double s) {
        INDArray a = p.get(t.prefix() + "A");
        INDArray b = p.get(t.prefix() + "B");
        double[][] dw = new double[(int) a.size(0)][(int) b.size(1)];
        for (int i = 0; i < dw.length; i++) {
            for (int c = 0; c < dw[0].length; c++) {
                for (int j = 0; j < R; j++) {
                    dw[i][c] += s * a.getDouble(i, j) * b.getDouble(j, c);
                }
            }
        }
        return dw;
    }

    private static double[][] mhLora(Map<String, INDArray> p, Target t, ProjectionShape sh, double s) {
        INDArray a = p.get(t.prefix() + "A");   // [H, d_in, r]
        INDArray b = p.get(t.prefix() + "B");   // [H, r, d_h]
        int dh = (int) sh.dHead();
        double[][] dw = new double[(int) sh.dIn()][(int) sh.dOut()];
        for (int h = 0; h < H; h++) {
            for (int i = 0; i < sh.dIn(); i++) {
                for (int c = 0; c < dh; c++) {
                    for (int j = 0; j < R; j++) {
                        dw[i][h * dh + c] += s * a.getDouble(h, i, j) * b.getDouble(h, j, c);
                    }
                }
            }
        }
        return dw;
    }

    private static double[][] hora(Map<String, INDArray> p, Target t, ProjectionShape sh, AdapterConfig cfg) {
        String n = t.prefix();
        INDArray z = p.get(n + "Z");
        INDArray w1 = p.get("W1");
        INDArray b1 = p.get("b1");
        int e = cfg.getSeedWidth();
        int k = cfg.getHiddenWidth();
        int dIn = (int) sh.dIn();
        int dh = (int) sh.dHead();
        boolean ph = cfg.isPerHeadOutput();
        double[][] dw = new double[dIn][(int) sh.dOut()];
        for (int h = 0; h < H; h++) {
            for (int j = 0; j < R; j++) {
                int row = h * R + j;
                double[] u = new double[k];                       // u = tanh(z W1 + b1)
                for (int kk = 0; kk < k; kk++) {
                    double acc = b1.getDouble(0, kk);
                    for (int m = 0; m < e; m++) {
                        acc += z.getDouble(row, m) * w1.getDouble(m, kk);
                    }
                    u[kk] = Math.tanh(acc);
                }
                double[] a = new double[dIn];                     // a = u W2A + cA
                for (int d = 0; d < dIn; d++) {
                    a[d] = ph ? p.get(n + "cA").getDouble(h, 0, d) : p.get(n + "cA").getDouble(0, d);
                    for (int kk = 0; kk < k; kk++) {
                        a[d] += u[kk] * (ph ? p.get(n + "W2A").getDouble(h, kk, d) : p.get(n + "W2A").getDouble(kk, d));
                    }
                }
                double[] b = new double[dh];                      // b = u W2B + cB
                for (int c = 0; c < dh; c++) {
                    b[c] = ph ? p.get(n + "cB").getDouble(h, 0, c) : p.get(n + "cB").getDouble(0, c);
                    for (int kk = 0; kk < k; kk++) {
                        b[c] += u[kk] * (ph ? p.get(n + "W2B").getDouble(h, kk, c) : p.get(n + "W2B").getDouble(kk, c));
                    }
                }
                for (int d = 0; d < dIn; d++) {                   // dW[:, head h] += s a b^T
                    for (int c = 0; c < dh; c++) {
                        dw[d][h * dh + c] += cfg.scale() * a[d] * b[c];
                    }
                }
            }
        }
        return dw;
    }
}
