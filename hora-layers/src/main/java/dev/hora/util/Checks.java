package dev.hora.util;

/**
 * The range checks of settings and options, with one message form:
 * {@code NAME = VALUE is out of range: allowed RANGE}.
 */
public final class Checks {
    private Checks() {
    }

    /** @throws IllegalArgumentException {@code name = value is out of range: allowed range} unless {@code ok} */
    public static void check(boolean ok, String name, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException(name + " = " + value + " is out of range: allowed " + range);
        }
    }

    /** {@code v >= min}. */
    public static int atLeast(String name, int v, int min) {
        check(v >= min, name, v, ">= " + min);
        return v;
    }

    /** {@code lo <= v <= hi}. */
    public static int between(String name, int v, int lo, int hi) {
        check(v >= lo && v <= hi, name, v, "[" + lo + ", " + hi + "]");
        return v;
    }

    /** A finite number {@code > 0}. */
    public static double positive(String name, double v) {
        check(v > 0 && Double.isFinite(v), name, v, "a finite number > 0");
        return v;
    }

    /** A fraction in {@code (0, 1)}, or {@code (0, 1]} when {@code oneAllowed}. */
    public static double fraction(String name, double v, boolean oneAllowed) {
        check(v > 0 && (oneAllowed ? v <= 1 : v < 1), name, v, oneAllowed ? "(0, 1]" : "(0, 1)");
        return v;
    }
}
