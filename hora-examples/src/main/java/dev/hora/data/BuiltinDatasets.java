package dev.hora.data;

import java.io.IOException;
import java.util.List;

/** The datasets available by name ({@code --data NAME}). */
public final class BuiltinDatasets {
    /** Known names. */
    public static final List<String> NAMES = List.of(UciSentiment.NAME);

    private BuiltinDatasets() {
    }

    /** Loads the named dataset (all examples, before any split). */
    public static TextDataset load(String name, NpmDatasetCache cache) throws IOException {
        if (name.equals(UciSentiment.NAME)) {
            return UciSentiment.load(cache);
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; built-in datasets: " + NAMES
                + ". " + DatasetUnavailableException.OWN_FILES_HINT);
    }
}
