package dev.hora.metrics;

import dev.hora.io.HoraJson;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hora.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/** Writes and reads reports (any Jackson-serialisable record) as indented JSON, atomically. */
public final class MetricsJson {
    /** The shared mapper: indented output, records supported. */
    public static final ObjectMapper MAPPER = HoraJson.MAPPER;

    private MetricsJson() {
    }

    /** The JSON text of {@code value}. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Writes {@code value} as JSON to {@code file} (temp file + rename). */
    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.write(file, out -> MAPPER.writeValue(new java.io.FilterOutputStream(out) {
            @Override
            public void close() throws IOException {
                flush();
            }
        }, value));
    }
}
