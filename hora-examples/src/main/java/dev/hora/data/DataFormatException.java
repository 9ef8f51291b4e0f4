package dev.hora.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A data file has malformed rows. The message names the file, the number of bad rows and the
 * first few of them as {@code file:line: problem}; {@link #problems()} holds all of them.
 */
public class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    /** How many problems the message lists. */
    public static final int SHOWN = 5;

    private final transient Path file;
    private final List<String> problems;

    public DataFormatException(Path file, List<String> problems, String hint) {
        super(message(file, problems, hint));
        this.file = file;
        this.problems = List.copyOf(problems);
    }

    /** The file with the problems. */
    public Path file() {
        return file;
    }

    /** Every problem, as {@code file:line: problem}. */
    public List<String> problems() {
        return problems;
    }

    private static String message(Path file, List<String> problems, String hint) {
        StringBuilder sb = new StringBuilder();
        sb.append(file).append(": ").append(problems.size())
                .append(problems.size() == 1 ? " malformed row" : " malformed rows");
        if (problems.size() > SHOWN) {
            sb.append(" (first ").append(SHOWN).append(" shown)");
        }
        sb.append(':');
        for (String p : problems.subList(0, Math.min(SHOWN, problems.size()))) {
            sb.append("\n  ").append(p);
        }
        if (hint != null && !hint.isEmpty()) {
            sb.append('\n').append(hint);
        }
        return sb.toString();
    }
}
