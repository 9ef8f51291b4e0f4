package dev.hora.train;

import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A logistic regression on a frozen random feature map, for trainer tests:
 * <pre>
 *   h = tanh(x F)            x [n, 4] placeholder, F [4, 8] CONSTANT (the "pretrained" part)
 *   z = h w + b              w [8, 1], b [1, 1] VARIABLEs (trainable)
 *   loss = mean(softplus(z) - y z)     (binary cross-entropy with logits), y [n, 1] placeholder
 * </pre>
 * Labels follow a planted rule {@code y = [x0 + 0.5 x1 - x2 > 0]}, so the loss can go well down.
 */
final class TrainGraphs {
    static final int IN = 4;
    static final int FEAT = 8;

    private TrainGraphs() {
    }

    static SameDiff logistic(DataType dt, long seed) {
        Random r = new Random(seed);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", dt, -1, IN);
        SDVariable y = sd.placeHolder("y", dt, -1, 1);
        SDVariable f = sd.constant("F", fill(r, dt, 1.0, IN, FEAT));
        SDVariable w = sd.var("w", fill(r, dt, 0.1, FEAT, 1));
        SDVariable b = sd.var("b", Nd4j.zeros(dt, 1, 1));
        SDVariable h = sd.math.tanh(x.mmul(f));                              // [n, 8]
        SDVariable z = h.mmul(w).add(b);                                      // [n, 1]
        sd.nn.softplus(z).sub(y.mul(z)).mean().rename("loss");
        return sd;
    }

    /** Batch number {@code step}: deterministic in (seed, step). */
    static Map<String, INDArray> batch(DataType dt, long seed, int step, int n) {
        Random r = new Random(seed * 1_000_003L + step);
        INDArray x = fill(r, dt, 2.0, n, IN);
        INDArray y = Nd4j.zeros(dt, n, 1);
        for (int i = 0; i < n; i++) {
            double s = x.getDouble(i, 0) + 0.5 * x.getDouble(i, 1) - x.getDouble(i, 2);
            y.putScalar(i, 0, s > 0 ? 1 : 0);
        }
        return Map.of("x", x, "y", y);
    }

    /** U(-scale, scale) entries. */
    static INDArray fill(Random r, DataType dt, double scale, long... shape) {
        INDArray a = Nd4j.zeros(DataType.DOUBLE, shape);
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, (r.nextDouble() * 2 - 1) * scale);
        }
        return a.castTo(dt);
    }
}
