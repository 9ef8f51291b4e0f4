package dev.hora.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A valid safetensors file that does not hold what its reader expects (a tensor it does not know,
 * one missing, a wrong dtype or shape), found from the header before any data is read.
 */
public class UnexpectedTensorException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final String problem;

    public UnexpectedTensorException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }

    /** The problem, without the file name. */
    public String problem() {
        return problem;
    }
}
