package dev.hora.compare;

import dev.hora.data.Split;
import dev.hora.data.StratifiedSplitter;
import dev.hora.data.TextDataset;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.Finetuner;
import dev.hora.finetune.ModelSource;
import dev.hora.io.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one cell through the same code path as {@code hora finetune} ({@link Finetuner#run}) in
 * {@code OUTPUT/cells/NAME/} (settings.json, metrics.json, model, log.txt with the run's output):
 * <pre>
 *   train_c = stratified subsample(train split, fraction, seed)
 *   (train_c, val_c) = stratified validation split of train_c (valFraction, seed); test = the sweep's
 *   settings: the variant's kind, rank and options, lr, seed, steps = the budget, the model's own pooling;
 *             checkpoints at epoch ends only (a cell that did not finish is run again from the start)
 * </pre>
 */
final class CellRunner {
    private final SweepSpec spec;
    private final Split base;
    private final ModelSource source;
    private final Path cellsDir;
    private final int threads;

    CellRunner(SweepSpec spec, Split base, ModelSource source, Path cellsDir, int threads) {
        this.spec = spec;
        this.base = base;
        this.source = source;
        this.cellsDir = cellsDir;
        this.threads = threads;
    }

    /** The cell's split; throws a clear error when the data is too small for the validation split. */
    Split split(double fraction, long seed) {
        TextDataset sub = StratifiedSplitter.subsample(base.train(), fraction, seed);
        try {
            return StratifiedSplitter.withValidation(new Split(sub, base.test()), spec.valFraction(), seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fraction " + fraction + ", seed " + seed + ": " + e.getMessage(), e);
        }
    }

    CellResult run(String phase, Variant v, int rank, double fraction, long seed, double lr) throws IOException {
        Path dir = cellsDir.resolve(String.format(Locale.ROOT, "%s-%s-f%s-s%d-lr%s", phase,
                v.label().replaceAll("[^a-z0-9.=-]+", "_"), fraction, seed, lr));
        if (Files.exists(dir)) {
            AtomicFiles.deleteRecursively(dir);   // a cell that did not finish: start it again
        }
        Files.createDirectories(dir);
        Split split = split(fraction, seed);
        Map<String, String> options = new LinkedHashMap<>(v.options());
        options.remove("rank");
        double alpha = options.containsKey("alpha") ? Double.parseDouble(options.remove("alpha")) : 2.0 * rank;
        boolean none = v.kind() == null;
        FinetuneSettings s = new FinetuneSettings(spec.model(), spec.tokenizer(), spec.data(), spec.train(),
                spec.test(), spec.testFraction(), fraction, v.kind(), none ? 0 : rank, none ? 0 : alpha,
                none ? java.util.List.of() : spec.targets(), spec.layers(), lr, 1, spec.batchSize(), spec.maxLength(),
                ModelSource.defaultPooling(spec.model()).name().toLowerCase(Locale.ROOT), seed, dir.toString(), false, threads, 0, spec.valFraction(), spec.steps(), spec.evalEvery(), options,
                spec.splitSeed());
        s.write(dir.resolve(FinetuneSettings.FILE));
        Finetuner.Result r;
        try (OutputStream os = Files.newOutputStream(dir.resolve("log.txt"));
             PrintStream log = new PrintStream(os, true, StandardCharsets.UTF_8)) {
            r = new Finetuner(s, log, log).run(split, source);
        }
        return new CellResult(phase, v.label(), v.kindName(), v.options(), fraction, seed, lr, none ? 0 : rank,
                r.trainableParams(), split.train().size(), split.validation().size(), split.test().size(), r.steps(),
                r.bestStep(), r.validation().accuracy(), r.validation().macroF1(), r.test().accuracy(),
                r.test().macroF1(), r.wallSeconds());
    }
}
