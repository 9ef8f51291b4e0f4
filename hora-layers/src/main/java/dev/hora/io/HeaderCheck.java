package dev.hora.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A check of a safetensors header made before any tensor data is read or allocated: the names,
 * dtypes and shapes a reader expects ({@link TensorSpec}), or a format's own rules. A file that
 * fails it costs its header only, however large the tensors it claims.
 */
@FunctionalInterface
public interface HeaderCheck {
    /** Accepts every valid header. */
    HeaderCheck ANY = (file, header) -> { };

    /**
     * @throws IOException naming {@code file} and the tensor that is not expected
     */
    void check(Path file, SafetensorsHeader header) throws IOException;
}
