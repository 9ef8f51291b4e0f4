package dev.hora.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads TSV and CSV rows with a label and a text column.
 *
 * <p>With a header row, the columns are found by name ({@link ColumnNames}: label/class/...,
 * text/sentence/...); extra columns are ignored. Without a header the file must have exactly two
 * columns and the label column is the one with fewer distinct values (at most {@value #MAX_CLASSES}).
 */
final class DelimitedLoader {
    static final int MAX_CLASSES = 100;

    private DelimitedLoader() {
    }

    static List<RawRow> rows(List<DelimitedReader.Record> records, RowErrors errors, String format) {
        List<RawRow> out = new ArrayList<>();
        if (records.isEmpty()) {
            return out;
        }
        List<String> first = records.get(0).cells();
        int labelCol = ColumnNames.find(first, ColumnNames.LABEL);
        int textCol = ColumnNames.find(first, ColumnNames.TEXT);
        int width = first.size();
        List<DelimitedReader.Record> body = records;
        if (labelCol >= 0 && textCol >= 0) {
            body = records.subList(1, records.size());
        } else if (labelCol >= 0 || textCol >= 0) {
            errors.add(records.get(0).line(), "header names a " + (labelCol >= 0 ? "label" : "text")
                    + " column but no " + (labelCol >= 0 ? "text" : "label") + " column; expected names: label "
                    + ColumnNames.LABEL + ", text " + ColumnNames.TEXT);
            return out;
        } else if (width != 2) {
            errors.add(records.get(0).line(), "no header row and " + width + " columns; add a header naming the "
                    + "label and text columns (e.g. 'label" + (format.equals("TSV") ? "\\t" : ",") + "text')");
            return out;
        } else {
            labelCol = guessLabelColumn(records);
            if (labelCol < 0) {
                errors.add(records.get(0).line(), "no header row and cannot tell which column holds the label; "
                        + "add a header row naming the label and text columns");
                return out;
            }
            textCol = 1 - labelCol;
        }
        for (DelimitedReader.Record r : body) {
            List<String> c = r.cells();
            if (c.size() != width) {
                errors.add(r.line(), "expected " + width + " " + format + " columns, found " + c.size()
                        + (format.equals("TSV") ? " (a tab inside the text?)" : ""));
                continue;
            }
            String label = c.get(labelCol).trim();
            String text = c.get(textCol);
            if (label.isEmpty()) {
                errors.add(r.line(), "empty label");
            } else if (text.isBlank()) {
                errors.add(r.line(), "empty text");
            } else {
                out.add(new RawRow(r.line(), label, text));
            }
        }
        return out;
    }

    /** The column with fewer distinct values, if that is a plausible number of classes; else -1. */
    private static int guessLabelColumn(List<DelimitedReader.Record> records) {
        List<Set<String>> distinct = List.of(new HashSet<>(), new HashSet<>());
        for (DelimitedReader.Record r : records) {
            if (r.cells().size() == 2) {
                distinct.get(0).add(r.cells().get(0).trim());
                distinct.get(1).add(r.cells().get(1).trim());
            }
        }
        int a = distinct.get(0).size();
        int b = distinct.get(1).size();
        if (a == b || Math.min(a, b) > MAX_CLASSES) {
            return -1;
        }
        return a < b ? 0 : 1;
    }
}
