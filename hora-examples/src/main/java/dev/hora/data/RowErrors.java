package dev.hora.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Collects every malformed row of one file, then fails once with all of them. */
final class RowErrors {
    private final Path file;
    private final List<String> problems = new ArrayList<>();

    RowErrors(Path file) {
        this.file = file;
    }

    void add(long line, String problem) {
        problems.add(file.getFileName() + ":" + line + ": " + problem);
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    void throwIfAny(String hint) throws DataFormatException {
        if (!problems.isEmpty()) {
            throw new DataFormatException(file, problems, hint);
        }
    }
}
