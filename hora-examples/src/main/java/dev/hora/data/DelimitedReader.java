package dev.hora.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits TSV or CSV text into records of cells, remembering the line each record starts on.
 *
 * <p>TSV: one record per line, cells split on tabs, no quoting. CSV (RFC 4180): cells split on
 * commas; a cell starting with {@code "} is quoted, may hold commas, newlines and {@code ""} for a
 * quote. Empty lines are not records. Unterminated quotes and text after a closing quote are
 * reported to {@link RowErrors} with their line.
 */
final class DelimitedReader {
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
        List<Record> out = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        long line = 1;
        long start = 1;
        boolean bad = false;
        int i = 0;
        int n = s.length();
        while (i <= n) {
            if (i == n || s.charAt(i) == '\n' || (s.charAt(i) == '\r' && i + 1 < n && s.charAt(i + 1) == '\n')) {
                cells.add(cell.toString());
                boolean blank = cells.size() == 1 && cells.get(0).isEmpty();
                if (!blank && !bad) {
                    out.add(new Record(start, List.copyOf(cells)));
                }
                cells.clear();
                cell.setLength(0);
                bad = false;
                i += (i < n && s.charAt(i) == '\r') ? 2 : 1;
                start = ++line;
                continue;
            }
            char c = s.charAt(i);
            if (c == '"' && cell.length() == 0) {
                int j = i + 1;
                boolean closed = false;
                while (j < n) {
                    char d = s.charAt(j);
                    if (d == '"') {
                        if (j + 1 < n && s.charAt(j + 1) == '"') {
                            cell.append('"');
                            j += 2;
                            continue;
                        }
                        closed = true;
                        j++;
                        break;
                    }
                    if (d == '\n') {
                        line++;
                    }
                    cell.append(d);
                    j++;
                }
                if (!closed) {
                    errors.add(start, "unterminated quote (the cell opened on this line never closes)");
                    return out;
                }
                if (j < n && s.charAt(j) != ',' && s.charAt(j) != '\n' && s.charAt(j) != '\r') {
                    errors.add(line, "unexpected text after a closing quote; quote the whole cell and double inner quotes (\"\")");
                    bad = true;
                }
                i = j;
                continue;
            }
            if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
            i++;
        }
        return out;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
