package dev.hora.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads predicted labels, one per line (a class name or a class index), e.g. to score another
 * system's predictions with {@code hora evaluate --predictions FILE}. Blank lines are errors.
 */
public final class PredictionsFile {
    private PredictionsFile() {
    }

    /** Reads exactly {@code expected} predictions mapped to indices of {@code labelNames}. */
    public static int[] read(Path file, List<String> labelNames, int expected) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1); // trailing newline(s)
        }
        RowErrors errors = new RowErrors(file);
        LabelSet byName = LabelSet.fixed(labelNames);
        int[] out = new int[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).trim();
            int idx = byName.index(s);
            if (idx < 0) {
                try {
                    int v = Integer.parseInt(s);
                    idx = v >= 0 && v < labelNames.size() ? v : -1;
                } catch (NumberFormatException e) {
                    idx = -1;
                }
            }
            if (idx < 0) {
                errors.add(i + 1, "'" + s + "' is neither a label " + labelNames + " nor an index 0-"
                        + (labelNames.size() - 1));
            }
            out[i] = idx;
        }
        errors.throwIfAny("One predicted label per line, in the order of the test set.");
        if (out.length != expected) {
            throw new IOException(file + ": " + out.length + " predictions for " + expected + " test examples");
        }
        return out;
    }
}
