package dev.hora.kernels;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.TreeMap;

/**
 * Section timer for profiling the kernel path: main-thread CPU time per named section, on only when
 * the JVM runs with {@code -Dhora.profile=true} (a constant false otherwise, so the JIT removes it);
 * {@code -Dhora.profile=wall} times wall-clock instead (sees the BLAS's other threads and waits).
 */
public final class Timer {
    public static final boolean ON = Boolean.getBoolean("hora.profile")
            || "wall".equals(System.getProperty("hora.profile"));
    private static final boolean WALL = "wall".equals(System.getProperty("hora.profile"));
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final Map<String, long[]> TOTALS = new TreeMap<>();
    private static long last;

    private Timer() {
    }

    /** Starts timing from now. */
    public static void start() {
        if (ON) {
            last = now();
        }
    }

    /** Adds the time since the last start/lap to {@code section}, then restarts. */
    public static void lap(String section) {
        if (ON) {
            long now = now();
            TOTALS.computeIfAbsent(section, k -> new long[2])[0] += now - last;
            TOTALS.get(section)[1]++;
            last = now;
        }
    }

    private static long now() {
        return WALL ? System.nanoTime() : MX.getCurrentThreadCpuTime();
    }

    /** Totals in ms per section, then clears. */
    public static String report() {
        StringBuilder b = new StringBuilder();
        TOTALS.forEach((k, v) -> b.append(String.format("%-22s %9.1f ms  (%d)%n", k, v[0] / 1e6, v[1])));
        TOTALS.clear();
        return b.toString();
    }
}
