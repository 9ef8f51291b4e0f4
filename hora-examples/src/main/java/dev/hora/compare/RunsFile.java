package dev.hora.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code runs.jsonl}: one {@link CellResult} per line, appended and forced to disk as each cell
 * finishes, so a killed sweep loses at most the cell it was running. A last line cut short by a
 * kill is ignored (with a warning); any other unreadable line is an error naming file and line.
 */
public final class RunsFile {
    public static final String NAME = "runs.jsonl";
    private static final Logger LOG = LoggerFactory.getLogger(RunsFile.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    public RunsFile(Path dir) {
        this.file = dir.resolve(NAME);
    }

    public Path file() {
        return file;
    }

    /** Every finished cell, in the order written. */
    public List<CellResult> read() throws IOException {
        List<CellResult> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            try {
                out.add(dev.hora.io.HoraJson.STRICT.readValue(line, CellResult.class));   // typed: "0.9" is no number
            } catch (IOException e) {
                if (i == lines.size() - 1) {
                    LOG.warn("{}: line {} is incomplete (a killed sweep?); that cell runs again", file, i + 1);
                } else {
                    throw new IOException(file + ": line " + (i + 1) + " is not a cell result: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** Appends one result and forces it to disk. */
    public void append(CellResult r) throws IOException {
        byte[] line = (JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8);
        dropCutLastLine();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(line));
            ch.force(true);
        }
    }

    /** A last line without its newline was cut by a kill: remove it before appending. */
    private void dropCutLastLine() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        byte[] all = Files.readAllBytes(file);
        if (all.length == 0 || all[all.length - 1] == '\n') {
            return;
        }
        int keep = all.length;
        while (keep > 0 && all[keep - 1] != '\n') {
            keep--;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(keep);
            ch.force(true);
        }
        LOG.warn("{}: removed an incomplete last line (a killed sweep?)", file);
    }
}
