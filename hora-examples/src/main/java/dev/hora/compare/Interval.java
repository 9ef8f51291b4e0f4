package dev.hora.compare;

import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Mean and two-sided 95 % confidence interval of the mean from the t distribution:
 * <pre>
 *   mean = (1/n) sum x_i        sd = sqrt( sum (x_i - mean)^2 / (n - 1) )
 *   half = t_{0.975, n-1} * sd / sqrt(n)        interval = [mean - half, mean + half]
 * </pre>
 * With n = 1 the half width is NaN (no interval from one value). The quantile comes from Apache
 * Commons Math's {@link TDistribution}.
 *
 * @param n    number of values
 * @param mean their mean
 * @param sd   sample standard deviation (n - 1 in the denominator; NaN for n = 1)
 * @param half half width of the 95 % interval (NaN for n = 1)
 */
public record Interval(int n, double mean, double sd, double half) {
    /** Confidence level of every interval. */
    public static final double LEVEL = 0.95;

    /** The interval of {@code values} (at least one). */
    public static Interval of(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            throw new IllegalArgumentException("an interval needs at least one value");
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
        if (n == 1) {
            return new Interval(1, mean, Double.NaN, Double.NaN);
        }
        double ss = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
        double sd = Math.sqrt(ss / (n - 1));
        return new Interval(n, mean, sd, tQuantile(n - 1) * sd / Math.sqrt(n));
    }

    /** The two-sided 95 % quantile {@code t_{0.975, df}}. */
    public static double tQuantile(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, got " + df);
        }
        return new TDistribution(null, df).inverseCumulativeProbability(1 - (1 - LEVEL) / 2);
    }

    public double low() {
        return mean - half;
    }

    public double high() {
        return mean + half;
    }

    /** True when the interval lies entirely above 0 (for paired differences). */
    public boolean above(double x) {
        return low() > x;
    }

    /** True when the interval lies entirely below {@code x}. */
    public boolean below(double x) {
        return high() < x;
    }
}
