package dev.hora.kernels;

import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Central finite differences of a scalar function of an array, element by element, in double. */
public final class FiniteDifferences {
    private FiniteDifferences() {
    }

    /**
     * Largest relative error |fd - an| / max(|fd| + |an|, 1e-10) over every element of x.
     *
     * @param x        the input (perturbed in place and restored)
     * @param loss     L evaluated at the current x
     * @param analytic dL/dx from the kernel's backward, shape of x
     */
    public static double maxRelError(INDArray x, Supplier<Double> loss, INDArray analytic) {
        double h = 1e-6;
        INDArray flat = x.reshape(x.length());
        INDArray g = analytic.dup('c').reshape(x.length());
        double worst = 0;
        for (long i = 0; i < flat.length(); i++) {
            double v = flat.getDouble(i);
            flat.putScalar(i, v + h);
            double lp = loss.get();
            flat.putScalar(i, v - h);
            double lm = loss.get();
            flat.putScalar(i, v);
            double fd = (lp - lm) / (2 * h);
            double an = g.getDouble(i);
            worst = Math.max(worst, Math.abs(fd - an) / Math.max(Math.abs(fd) + Math.abs(an), 1e-10));
        }
        return worst;
    }
}
