package dev.hora.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file is truncated, corrupt or uses an unsupported feature; the message names the file. */
public class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsFormatException(Path file, String problem) {
        super(file + ": not a valid safetensors file: " + problem);
    }

    public SafetensorsFormatException(Path file, String problem, Throwable cause) {
        super(file + ": not a valid safetensors file: " + problem, cause);
    }
}
