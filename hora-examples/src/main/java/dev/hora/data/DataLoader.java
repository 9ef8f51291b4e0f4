package dev.hora.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Resolves the data options of a command into a train/test {@link Split}.
 *
 * <pre>
 * --data NAME                -> built-in dataset, stratified split (testFraction, seed)
 * --train FILE               -> the file, stratified split (testFraction, seed)
 * --train FILE --test FILE   -> both files; the test file uses the training file's label set
 * then: train = subsample(train, trainFraction, seed)
 * </pre>
 */
public final class DataLoader {
    private DataLoader() {
    }

    /** Loads and splits; exactly one of {@code builtin} and {@code trainFile} must be non-null. */
    public static Split load(String builtin, Path trainFile, Path testFile, double testFraction,
                             double trainFraction, long seed, NpmDatasetCache cache) throws IOException {
        if ((builtin == null) == (trainFile == null)) {
            throw new IllegalArgumentException("give either a built-in dataset or a training file");
        }
        if (testFile != null && trainFile == null) {
            throw new IllegalArgumentException("--test needs --train");
        }
        Split split;
        if (builtin != null) {
            split = StratifiedSplitter.split(BuiltinDatasets.load(builtin, cache), testFraction, seed);
        } else if (testFile == null) {
            split = StratifiedSplitter.split(TextFileLoader.load(trainFile), testFraction, seed);
        } else {
            TextDataset train = TextFileLoader.load(trainFile);
            split = new Split(train, TextFileLoader.load(testFile, train.labelNames()));
        }
        return new Split(StratifiedSplitter.subsample(split.train(), trainFraction, seed), split.test());
    }
}
