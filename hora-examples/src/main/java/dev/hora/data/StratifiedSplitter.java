package dev.hora.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Reproducible, stratified train/test splits and subsamples: every class keeps its share.
 *
 * <pre>
 *   for each class c: shuffle(examples of c, Random(seed)); test takes round(n_c * testFraction)
 *   train and test are then shuffled once more with the same seed
 * </pre>
 * The same dataset, fraction and seed always give the same split.
 */
public final class StratifiedSplitter {
    private StratifiedSplitter() {
    }

    /** Splits {@code data} into train and test with {@code testFraction} of each class in test. */
    public static Split split(TextDataset data, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        Random rnd = new Random(seed);
        List<Example> train = new ArrayList<>();
        List<Example> test = new ArrayList<>();
        for (List<Example> cls : byClass(data)) {
            Collections.shuffle(cls, rnd);
            int nTest = (int) Math.round(cls.size() * testFraction);
            test.addAll(cls.subList(0, nTest));
            train.addAll(cls.subList(nTest, cls.size()));
        }
        Collections.shuffle(train, rnd);
        Collections.shuffle(test, rnd);
        return new Split(new TextDataset(data.name() + "[train]", train, data.labelNames()),
                new TextDataset(data.name() + "[test]", test, data.labelNames()));
    }

    /**
     * Carves a stratified validation set out of {@code split.train()}: {@code max(1, round(n_c valFraction))}
     * examples of every class c (seeded shuffle); {@code valFraction == 0} returns the split unchanged.
     *
     * @throws IllegalArgumentException when a class would be left with no training example
     */
    public static Split withValidation(Split split, double valFraction, long seed) {
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + valFraction);
        }
        if (valFraction == 0) {
            return split;
        }
        TextDataset data = split.train();
        Random rnd = new Random(seed ^ 0x76616CL);
        List<Example> train = new ArrayList<>();
        List<Example> val = new ArrayList<>();
        List<List<Example>> classes = byClass(data);
        for (int c = 0; c < classes.size(); c++) {
            List<Example> cls = classes.get(c);
            if (cls.isEmpty()) {
                continue;
            }
            int nVal = Math.max(1, (int) Math.round(cls.size() * valFraction));
            if (nVal >= cls.size()) {
                throw new IllegalArgumentException("training data too small for the validation split: class '"
                        + data.labelNames().get(c) + "' has " + cls.size() + " example(s) in " + data.name()
                        + "; validation takes " + nVal + " and training needs at least 1 (use more data)");
            }
            Collections.shuffle(cls, rnd);
            val.addAll(cls.subList(0, nVal));
            train.addAll(cls.subList(nVal, cls.size()));
        }
        Collections.shuffle(train, rnd);
        Collections.shuffle(val, rnd);
        return new Split(new TextDataset(data.name(), train, data.labelNames()),
                new TextDataset(data.name() + "[validation]", val, data.labelNames()), split.test());
    }

    /**
     * Keeps a stratified {@code fraction} of {@code data} (at least one example per non-empty class),
     * for low-data experiments; {@code fraction == 1} returns {@code data} unchanged.
     */
    public static TextDataset subsample(TextDataset data, double fraction, long seed) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
        }
        if (fraction == 1.0) {
            return data;
        }
        Random rnd = new Random(seed ^ 0x5DEECE66DL);
        List<Example> kept = new ArrayList<>();
        for (List<Example> cls : byClass(data)) {
            if (cls.isEmpty()) {
                continue;
            }
            Collections.shuffle(cls, rnd);
            kept.addAll(cls.subList(0, Math.max(1, (int) Math.round(cls.size() * fraction))));
        }
        Collections.shuffle(kept, rnd);
        return new TextDataset(data.name() + "[" + fraction + "]", kept, data.labelNames());
    }

    private static List<List<Example>> byClass(TextDataset data) {
        List<List<Example>> out = new ArrayList<>();
        for (int c = 0; c < data.numClasses(); c++) {
            out.add(new ArrayList<>());
        }
        for (Example e : data.examples()) {
            out.get(e.label()).add(e);
        }
        return out;
    }
}
