package dev.hora.io;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded byte-level mutants of a file: bit flips, truncation, extension, byte insertion and
 * deletion, and edits of the text region {@code [textFrom, textTo)} (a JSON header: a digit or a
 * character changed, a dtype relabelled, a key duplicated). The count of mutants per test is the
 * system property {@code hora.mutants} (the {@code mutation-long} Maven profile raises it).
 */
public final class Mutants {
    /** A mutant and whether it touched only bytes at or after {@code payloadFrom} (the data, not the header). */
    public record Mutant(String kind, byte[] bytes, boolean payloadOnly) {
    }

    private Mutants() {
    }

    /** Mutants per test: {@code -Dhora.mutants=N}, default {@code dflt}. */
    public static int count(int dflt) {
        return Integer.getInteger("hora.mutants", dflt);
    }

    /** One mutant of {@code b}; {@code [textFrom, textTo)} is the header text, data starts at {@code textTo}. */
    public static Mutant of(byte[] b, int textFrom, int textTo, Random r) {
        int kind = r.nextInt(9);
        byte[] m = b.clone();
        switch (kind) {
            case 0 -> {
                int at = r.nextInt(b.length);
                m[at] ^= (byte) (1 << r.nextInt(8));
                return new Mutant("bit flip", m, at >= textTo);
            }
            case 1 -> {
                return new Mutant("truncation", Arrays.copyOf(b, r.nextInt(b.length)), false);
            }
            case 2 -> {
                byte[] e = Arrays.copyOf(b, b.length + 1 + r.nextInt(16));
                return new Mutant("extension", e, false);
            }
            case 3 -> {
                int at = r.nextInt(b.length + 1);
                byte[] e = new byte[b.length + 1];
                System.arraycopy(b, 0, e, 0, at);
                e[at] = (byte) r.nextInt(256);
                System.arraycopy(b, at, e, at + 1, b.length - at);
                return new Mutant("insertion", e, false);
            }
            case 4 -> {
                int at = r.nextInt(b.length);
                byte[] e = new byte[b.length - 1];
                System.arraycopy(b, 0, e, 0, at);
                System.arraycopy(b, at + 1, e, at, b.length - at - 1);
                return new Mutant("deletion", e, false);
            }
            case 5 -> {   // a digit of the header changed (shape, offsets, numbers in metadata)
                int at = find(b, textFrom, textTo, r, c -> c >= '0' && c <= '9');
                m[at] = (byte) ('0' + r.nextInt(10));
                return new Mutant("digit edit", m, false);
            }
            case 6 -> {   // a header character replaced by a JSON-significant one
                int at = textFrom + r.nextInt(textTo - textFrom);
                String chars = "{}[],:\" .-e0\t\u0000";
                m[at] = (byte) chars.charAt(r.nextInt(chars.length()));
                return new Mutant("character edit", m, false);
            }
            case 7 -> {
                return new Mutant("dtype relabel", relabel(b, textFrom, textTo, r), false);
            }
            default -> {
                return new Mutant("payload bit flip", flipPayload(b, textTo, r), true);
            }
        }
    }

    private static byte[] flipPayload(byte[] b, int from, Random r) {
        byte[] m = b.clone();
        if (from < b.length) {
            m[from + r.nextInt(b.length - from)] ^= (byte) (1 << r.nextInt(8));
        }
        return m;
    }

    /** Same-size relabels (F32 <-> I32, F64 <-> I64) and a size-changing one, as a forger would do. */
    private static byte[] relabel(byte[] b, int from, int to, Random r) {
        String h = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        String[][] swaps = {{"\"F32\"", "\"I32\""}, {"\"I32\"", "\"F32\""}, {"\"I64\"", "\"F64\""},
            {"\"F64\"", "\"I64\""}, {"\"F32\"", "\"F64\""}};
        String[] s = swaps[r.nextInt(swaps.length)];
        int at = h.indexOf(s[0]);
        if (at < 0) {
            return b.clone();
        }
        byte[] m = b.clone();
        byte[] rep = s[1].getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(rep, 0, m, from + at, rep.length);
        return m;
    }

    private static int find(byte[] b, int from, int to, Random r, java.util.function.IntPredicate p) {
        int start = from + r.nextInt(to - from);
        for (int i = 0; i < to - from; i++) {
            int at = from + (start - from + i) % (to - from);
            if (p.test(b[at])) {
                return at;
            }
        }
        return start;
    }
}
