package dev.hora.cli;

import dev.hora.util.Checks;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.data.BuiltinDatasets;
import dev.hora.data.CacheDirs;
import dev.hora.data.DataLoader;
import dev.hora.data.NpmDatasetCache;
import dev.hora.data.NpmPackFetcher;
import dev.hora.data.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Data options shared by the commands: a built-in dataset or the user's files, and the split. */
public class DataOptions {
    @Option(names = "--data", paramLabel = "NAME",
            description = "Built-in dataset (default: uci-sentiment when no --train is given).")
    String data;

    @Option(names = "--train", paramLabel = "FILE", description = "Training file (.tsv, .csv or .jsonl).")
    Path train;

    @Option(names = "--test", paramLabel = "FILE",
            description = "Test file; without it --test-fraction of --train (or of --data) is held out.")
    Path test;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Stratified test share when no --test file is given (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--train-fraction", defaultValue = "1.0", paramLabel = "F",
            description = "Keep this stratified share of the training set, for low-data runs (default: ${DEFAULT-VALUE}).")
    double trainFraction;

    @Option(names = "--cache-dir", paramLabel = "DIR",
            description = "Download cache (default: env HORA_CACHE_DIR, else ~/.cache/hora).")
    Path cacheDir;

    @Option(names = "--npm", paramLabel = "CMD", description = "npm executable used to fetch built-in datasets "
            + "(default: env HORA_NPM, else npm).")
    String npm;

    /** Uses the data of a finished run (its built-in dataset or files and fractions). */
    void useRunData(FinetuneSettings s) {
        data = s.data();
        train = s.train() == null ? null : Path.of(s.train());
        test = s.test() == null ? null : Path.of(s.test());
        testFraction = s.testFraction();
        trainFraction = s.trainFraction();
    }

    /** Checks the combination; fills in the default dataset. */
    void validate() {
        if (data != null && train != null) {
            throw new IllegalArgumentException("give either --data NAME or --train FILE, not both");
        }
        if (test != null && train == null) {
            throw new IllegalArgumentException("--test FILE needs --train FILE");
        }
        if (data == null && train == null) {
            data = BuiltinDatasets.NAMES.get(0);
        }
        if (data != null && !BuiltinDatasets.NAMES.contains(data)) {
            throw new IllegalArgumentException("unknown --data '" + data + "'; built-in datasets: "
                    + BuiltinDatasets.NAMES + "; for your own files use --train FILE [--test FILE]");
        }
        Checks.fraction("--test-fraction", testFraction, false);
        Checks.fraction("--train-fraction", trainFraction, true);
    }

    /** Loads and splits the data. */
    Split load(long seed) throws IOException {
        NpmPackFetcher fetcher = npm == null ? NpmPackFetcher.fromEnvironment()
                : new NpmPackFetcher(npm, Duration.ofMinutes(5));
        return DataLoader.load(data, train, test, testFraction, trainFraction, seed,
                new NpmDatasetCache(CacheDirs.datasets(cacheDir), fetcher));
    }
}
