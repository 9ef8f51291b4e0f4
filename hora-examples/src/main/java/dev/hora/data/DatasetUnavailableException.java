package dev.hora.data;

import java.io.IOException;

/**
 * A built-in dataset could not be fetched or verified. The message says why and how to pass one's
 * own files instead ({@code --train FILE --test FILE}).
 */
public class DatasetUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;
    /** Appended to every message. */
    public static final String OWN_FILES_HINT = "To use your own data instead, pass --train FILE [--test FILE] "
            + "(TSV, CSV or JSONL with a label and a text column, e.g. a header 'label<TAB>text').";

    public DatasetUnavailableException(String dataset, String reason, Throwable cause) {
        super("Built-in dataset '" + dataset + "' is unavailable: " + reason + "\n" + OWN_FILES_HINT, cause);
    }
}
