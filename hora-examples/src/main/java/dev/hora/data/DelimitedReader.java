package dev.hora.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Splits TSV or CSV text into records of cells, remembering the line each record starts on.
 *
 * <p>TSV: one record per line, cells split on tabs, no quoting. CSV (RFC 4180, read with Apache
 * Commons CSV): cells split on commas; a quoted cell may hold commas, newlines and {@code ""} for a
 * quote. Empty lines are not records. An unterminated quote or text after a closing quote is
 * reported to {@link RowErrors} with its line; reading stops there.
 */
final class DelimitedReader {
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    /** One parsed record. */
    record Record(long line, List<String> cells) {
    }

    private DelimitedReader() {
    }

    static List<Record> tsv(String content) {
        List<Record> out = new ArrayList<>();
        String[] lines = stripBom(content).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            if (!l.isEmpty()) {
                out.add(new Record(i + 1, List.of(l.split("\t", -1))));
            }
        }
        return out;
    }

    static List<Record> csv(String content, RowErrors errors) {
        String s = stripBom(content);
        String[] lines = s.split("\r?\n", -1);
        List<Record> out = new ArrayList<>();
        long consumed = 0;   // lines read up to the end of the last good record
        try (CSVParser p = CSVParser.parse(s, FORMAT)) {
            Iterator<CSVRecord> it = p.iterator();
            while (true) {
                CSVRecord r;
                try {
                    if (!it.hasNext()) {
                        return out;
                    }
                    r = it.next();
                } catch (UncheckedIOException | IllegalStateException e) {
                    String m = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                    if (m.contains("EOF reached before encapsulated token finished")) {
                        errors.add(nextRecordLine(lines, consumed), "unterminated quote (the cell opened on this line "
                                + "never closes)");
                    } else if (m.contains("Invalid character between encapsulated token and delimiter")) {
                        errors.add(p.getCurrentLineNumber(), "unexpected text after a closing quote; quote the whole "
                                + "cell and double inner quotes (\"\"); rows after this one were not read");
                    } else {
                        errors.add(nextRecordLine(lines, consumed), "malformed CSV: " + m);
                    }
                    return out;
                }
                out.add(new Record(nextRecordLine(lines, consumed), r.toList()));
                consumed = p.getCurrentLineNumber();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // parsing a String does no I/O
        }
    }

    /** The first non-blank line after {@code consumed} lines (1-based): where the next record starts. */
    private static long nextRecordLine(String[] lines, long consumed) {
        long l = consumed;
        while (l < lines.length && lines[(int) l].isEmpty()) {
            l++;
        }
        return l + 1;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
