package dev.hora.cli;

import dev.hora.data.Split;
import dev.hora.data.TextDataset;
import java.io.PrintStream;

/** One-line human summaries the commands print. */
final class Summaries {
    private Summaries() {
    }

    static void printSplit(PrintStream out, Split split) {
        out.println("data: train " + describe(split.train()) + (split.validation() == null ? ""
                : "; validation " + describe(split.validation())) + "; test " + describe(split.test()));
    }

    static String describe(TextDataset d) {
        StringBuilder sb = new StringBuilder().append(d.size()).append(" (");
        int[] counts = d.classCounts();
        for (int c = 0; c < counts.length; c++) {
            sb.append(c == 0 ? "" : ", ").append(d.labelNames().get(c)).append(' ').append(counts[c]);
        }
        return sb.append(')').toString();
    }
}
