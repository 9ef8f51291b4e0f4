package dev.hora.util;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * SameDiff 1.0.0-M2.1's {@code createGradFunction} prints one "Added differentiated op ..." line per
 * op to System.out (a debugging leftover) while it builds a gradient graph. This runs such a call
 * with exactly those lines dropped; every other output passes through. Not thread-safe against
 * other threads swapping System.out at the same moment.
 */
public final class QuietStdout {
    private static final String NOISE = "Added differentiated op";

    private QuietStdout() {
    }

    /** Runs {@code call} with SameDiff's gradient-building lines filtered from System.out. */
    public static synchronized <T> T call(Supplier<T> call) {
        PrintStream out = System.out;
        System.setOut(new PrintStream(out, true) {
            @Override
            public void println(String x) {
                if (x == null || !x.startsWith(NOISE)) {
                    super.println(x);
                }
            }
        });
        try {
            return call.get();
        } finally {
            System.setOut(out);
        }
    }
}
