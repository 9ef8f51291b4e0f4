package dev.hora.data;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads a user's labelled text file: {@code .tsv}/{@code .tab}, {@code .csv} or
 * {@code .jsonl}/{@code .ndjson} (UTF-8), with one label and one text per row.
 *
 * <p>Every malformed row is collected; if there is any, loading fails with a
 * {@link DataFormatException} listing the first few as {@code file:line: problem}. No row is
 * dropped silently.
 */
public final class TextFileLoader {
    /** Shown after the errors of a bad file. */
    public static final String FORMAT_HINT = "Expected UTF-8 TSV, CSV or JSONL with a label and a text per row, "
            + "e.g. a header 'label<TAB>text' then '1<TAB>Great phone.'; labels are strings or integers.";

    private TextFileLoader() {
    }

    /** Loads {@code file}, detecting the label set ({@link LabelSet#detect}); needs two or more classes. */
    public static TextDataset load(Path file) throws IOException {
        List<RawRow> rows = rows(file);
        LabelSet labels = LabelSet.detect(rows.stream().map(RawRow::label).toList());
        if (labels.names().size() < 2) {
            throw new DataFormatException(file, List.of(file.getFileName() + ": only one class " + labels.names()
                    + " in " + rows.size() + " rows; a classifier needs at least two"), FORMAT_HINT);
        }
        return map(file, rows, labels);
    }

    /** Loads {@code file} with a fixed label set (e.g. the training file's); unknown labels are errors. */
    public static TextDataset load(Path file, List<String> labelNames) throws IOException {
        return map(file, rows(file), LabelSet.fixed(labelNames));
    }

    private static TextDataset map(Path file, List<RawRow> rows, LabelSet labels) throws DataFormatException {
        RowErrors errors = new RowErrors(file);
        List<Example> out = new ArrayList<>(rows.size());
        for (RawRow r : rows) {
            int idx = labels.index(r.label());
            if (idx < 0) {
                errors.add(r.line(), "label '" + r.label() + "' is not one of " + labels.names());
            } else {
                out.add(new Example(r.text(), idx));
            }
        }
        errors.throwIfAny(FORMAT_HINT);
        return new TextDataset(file.toString(), out, labels.names());
    }

    static List<RawRow> rows(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a data file (.tsv, .csv or .jsonl)");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String content = read(file);
        if (content.indexOf('\r') >= 0 && content.indexOf('\n') < 0) {
            throw new IOException(file + ": lines end with a carriage return only (CR, old Mac style); "
                    + "save the file with LF or CRLF line endings");
        }
        RowErrors errors = new RowErrors(file);
        List<RawRow> rows;
        if (name.endsWith(".tsv") || name.endsWith(".tab")) {
            rows = DelimitedLoader.rows(DelimitedReader.tsv(content), errors, "TSV");
        } else if (name.endsWith(".csv")) {
            rows = DelimitedLoader.rows(DelimitedReader.csv(content, errors), errors, "CSV");
        } else if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            rows = JsonlLoader.rows(content, errors);
        } else {
            throw new IOException(file + ": unknown data file type; use a .tsv, .csv or .jsonl file");
        }
        errors.throwIfAny(FORMAT_HINT);
        if (rows.isEmpty()) {
            throw new IOException(file + ": no examples in the file. " + FORMAT_HINT);
        }
        return rows;
    }

    private static String read(Path file) throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "data file not found");
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 text", e);
        }
    }
}
