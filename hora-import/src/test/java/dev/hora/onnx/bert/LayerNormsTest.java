package dev.hora.onnx.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link LayerNorms} (fused op for eps 1e-12, decomposed for 1e-5) against plain-Java double loops:
 * the forward LN(x) and the gradients of L = sum(LN(x) * C) with respect to x, gamma and beta:
 * <pre>
 *   xh = (x - mean) / sqrt(var + eps),  g = C * gamma
 *   dx = (g - mean(g) - xh mean(g xh)) / sqrt(var + eps),  dgamma = sum_rows C xh,  dbeta = sum_rows C
 * </pre>
 */
class LayerNormsTest {

    @ParameterizedTest(name = "eps = {0}")
    @ValueSource(doubles = {1e-12, 1e-5})
    void forwardAndGradientsMatchPlainJava(double eps) {
        int n = 6;
        int d = 20;
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, n, d).muli(0.3).addi(0.7);
        INDArray gamma = Nd4j.rand(DataType.FLOAT, d).addi(0.5);
        INDArray beta = Nd4j.randn(DataType.FLOAT, d);
        INDArray c = Nd4j.randn(DataType.FLOAT, n, d);

        SameDiff sd = SameDiff.create();
        SDVariable vx = sd.var("x", x.dup());
        SDVariable vg = sd.var("gamma", gamma.dup());
        SDVariable vb = sd.var("beta", beta.dup());
        SDVariable y = LayerNorms.apply(sd, vx, vg, vb, eps);
        sd.setLossVariables(sd.sum("loss", y.mul(sd.constant(c))));
        INDArray out = y.eval();
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), "x", "gamma", "beta");

        double[][] dx = new double[n][d];
        double[] dg = new double[d];
        double[] db = new double[d];
        double maxY = 0;
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int j = 0; j < d; j++) {
                mean += x.getDouble(i, j) / d;
            }
            double var = 0;
            for (int j = 0; j < d; j++) {
                var += Math.pow(x.getDouble(i, j) - mean, 2) / d;
            }
            double inv = 1 / Math.sqrt(var + eps);
            double[] xh = new double[d];
            double[] g = new double[d];
            double mg = 0;
            double mgx = 0;
            for (int j = 0; j < d; j++) {
                xh[j] = (x.getDouble(i, j) - mean) * inv;
                g[j] = c.getDouble(i, j) * gamma.getDouble(j);
                mg += g[j] / d;
                mgx += g[j] * xh[j] / d;
                maxY = Math.max(maxY, Math.abs(out.getDouble(i, j) - (xh[j] * gamma.getDouble(j) + beta.getDouble(j))));
                dg[j] += c.getDouble(i, j) * xh[j];
                db[j] += c.getDouble(i, j);
            }
            for (int j = 0; j < d; j++) {
                dx[i][j] = (g[j] - mg - xh[j] * mgx) * inv;
            }
        }
        assertEquals(0, maxY, 1e-5, "LN(x)");
        assertEquals(0, Nd4j.createFromArray(dx).castTo(DataType.FLOAT).sub(grads.get("x")).amaxNumber().doubleValue(),
                1e-4, "dL/dx");
        assertEquals(0, Nd4j.createFromArray(dg).castTo(DataType.FLOAT).sub(grads.get("gamma")).amaxNumber()
                .doubleValue(), 1e-4, "dL/dgamma");
        assertEquals(0, Nd4j.createFromArray(db).castTo(DataType.FLOAT).sub(grads.get("beta")).amaxNumber()
                .doubleValue(), 1e-4, "dL/dbeta");
    }
}
