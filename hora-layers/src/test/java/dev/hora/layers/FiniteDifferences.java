package dev.hora.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central differences against a network's backprop gradient (double precision):
 * <pre>
 *   g_num[i] = (L(p + h e_i) - L(p - h e_i)) / 2h       L = score of the fixed batch (masks included)
 *   relErr   = |g - g_num| / (|g| + |g_num|)
 * </pre>
 * An entry fails when relErr > maxRel and |g - g_num| >= 1e-8 (GradientCheckUtil's rule).
 */
final class FiniteDifferences {
    private FiniteDifferences() {
    }

    /**
     * @param maxRelError  over entries with |g| + |g_num| > 1e-6 (meaningful magnitudes)
     * @param maxAbsError  over all checked entries
     * @param medianRatio  median of g / g_num over entries with |g_num| > 1e-6
     * @param failures     entries failing the rule above with maxRel = 1e-4
     */
    record Result(double maxRelError, double maxAbsError, double medianRatio, int failures, int checked) {
    }

    /**
     * @param gradient backprop gradient, flattened like {@code net.params()}, scaled like the score
     * @param score    recomputes the score at the current parameters
     */
    static Result check(Model net, INDArray gradient, Supplier<Double> score, long from, long to, int maxChecks) {
        INDArray params = net.params();
        long step = Math.max(1, (to - from) / maxChecks);
        double h = 1e-6;
        double maxRel = 0;
        double maxAbs = 0;
        int failures = 0;
        List<Double> ratios = new ArrayList<>();
        int n = 0;
        for (long i = from; i < to && n < maxChecks; i += step) {
            double orig = params.getDouble(i);
            params.putScalar(i, orig + h);
            double plus = score.get();
            params.putScalar(i, orig - h);
            double minus = score.get();
            params.putScalar(i, orig);
            double num = (plus - minus) / (2 * h);
            double g = gradient.getDouble(i);
            double abs = Math.abs(g - num);
            double rel = abs == 0 ? 0 : abs / (Math.abs(g) + Math.abs(num));
            maxAbs = Math.max(maxAbs, abs);
            if (Math.abs(g) + Math.abs(num) > 1e-6) {
                maxRel = Math.max(maxRel, rel);
            }
            if (rel > 1e-4 && abs >= 1e-8) {
                failures++;
            }
            if (Math.abs(num) > 1e-6) {
                ratios.add(g / num);
            }
            n++;
        }
        ratios.sort(Double::compare);
        double median = ratios.isEmpty() ? Double.NaN : ratios.get(ratios.size() / 2);
        return new Result(maxRel, maxAbs, median, failures, n);
    }
}
