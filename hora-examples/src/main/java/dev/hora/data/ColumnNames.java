package dev.hora.data;

import java.util.List;
import java.util.Locale;

/** The header names recognised for the label and the text column or field. */
final class ColumnNames {
    static final List<String> LABEL = List.of("label", "labels", "class", "category", "target", "sentiment", "y");
    static final List<String> TEXT = List.of("text", "sentence", "sentence1", "review", "content", "document",
            "comment", "x");

    private ColumnNames() {
    }

    /** Index in {@code cells} of the first cell named like one of {@code names}, or -1. */
    static int find(List<String> cells, List<String> names) {
        for (String n : names) {
            for (int i = 0; i < cells.size(); i++) {
                if (cells.get(i).trim().toLowerCase(Locale.ROOT).equals(n)) {
                    return i;
                }
            }
        }
        return -1;
    }
}
