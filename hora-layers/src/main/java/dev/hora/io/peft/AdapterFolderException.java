package dev.hora.io.peft;

import java.io.IOException;
import java.nio.file.Path;

/** An adapter folder file that is missing or wrong; the message names the file and the problem. */
public final class AdapterFolderException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public AdapterFolderException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public AdapterFolderException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
