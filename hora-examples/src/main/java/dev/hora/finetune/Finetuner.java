package dev.hora.finetune;

import dev.hora.data.Split;
import dev.hora.data.TextDataset;
import dev.hora.metrics.ClassificationReport;
import dev.hora.metrics.MetricsJson;
import dev.hora.peft.PeftModel;
import dev.hora.report.ProgressBar;
import dev.hora.report.TrainingChart;
import dev.hora.report.TrainingHistory;
import dev.hora.text.TokenBatcher;
import dev.hora.train.SameDiffTrainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fine-tuning loop behind {@code hora finetune}:
 * <pre>
 *   import ONNX encoder -> PeftModel (adapters + head) -> per epoch: seeded, length-bucketed batches,
 *   AdamW steps (warmup 10%, linear decay, clip 1.0; --steps N: exactly N steps, repeating epochs)
 *   -> validation accuracy after each epoch (and every --eval-every steps) -> atomic checkpoint
 *   -> the best step on validation is restored -> test accuracy / macro-F1, scored once
 *   -> model.safetensors, adapter/, metrics.json, training.png
 * </pre>
 * Checkpoints ({@link RunCheckpoint}, with the selection so far) are written every
 * {@code --checkpoint-every} optimizer steps and at each epoch end; {@code --resume} checks the run's
 * fingerprint, then continues at the exact next batch of the same seeded batch order with the same
 * best-so-far, so it ends bit-identical to an uninterrupted run.
 * A diverging loss or gradient norm stops the run ({@link DivergenceGuard}) before it is saved.
 * The manifest ({@link RunManifest}) is written last.
 */
public final class Finetuner {
    /**
     * Steps between explicit garbage collections. Each step leaves ~100 MB of native op outputs
     * whose Java wrappers are tiny, so the heap rarely fills and the JVM rarely collects them;
     * without this a run's resident memory climbed past 5 GB.
     */
    private static final int GC_EVERY = 1;
    /** Evaluation batch: 32 sequences keep the kernel path's workspaces within the training step's size. */
    static final int EVAL_BATCH = 32;

    private final FinetuneSettings s;
    private final PrintStream out;
    private final PrintStream err;

    /** @param out results (summary, metrics); @param err progress */
    public Finetuner(FinetuneSettings settings, PrintStream out, PrintStream err) {
        this.s = settings;
        this.out = out;
        this.err = err;
    }

    /**
     * What a run measured: {@code validation} is the selected step's validation report (null without
     * a validation split), {@code test} the test report of the selected parameters, scored once.
     */
    public record Result(ClassificationReport validation, ClassificationReport test, int bestStep, int steps,
                         double wallSeconds, double trainExamplesPerSecond, long peakRssBytes, long trainableParams,
                         long totalParams) {
    }

    /** Trains, selects, tests and writes the run, holding the run directory's {@link RunLock} throughout. */
    public Result run(Split split, ModelSource source) throws IOException {
        try (RunLock lock = RunLock.acquire(Path.of(s.output()))) {
            return runLocked(split, source);
        }
    }

    private Result runLocked(Split split, ModelSource source) throws IOException {
        long t0 = System.nanoTime();
        Path dir = Path.of(s.output());
        RunFiles.startWriting(dir);
        TextDataset train = split.train();
        TextDataset val = split.validation();
        RunFingerprint fingerprint = RunFingerprint.of(s, source, split);
        RunCheckpoint ckpt = new RunCheckpoint(dir, fingerprint);
        PeftModel model = RunSpec.model(s, RunFolder.importModel(source), train.numClasses());
        out.println(model.summary());
        RunLength length = RunLength.of(train.size(), s.batchSize(), s.epochs(), s.steps());
        int total = length.total();
        int epochs = length.epochs();
        SameDiffTrainer.Builder tb = SameDiffTrainer.builder().adam(s.lr(), total / 10, total).maxGradNorm(1.0);
        TrainingHistory history = new TrainingHistory();

        ClassificationReport report;
        BestOnValidation best = new BestOnValidation();
        RunCheckpoint.Totals prior = RunCheckpoint.Totals.NONE;
        long trainExamples = 0;
        long trainNanos = 0;
        try (TokenBatcher tok = source.batcher(s.maxLength())) {
            TrainingTask task = model.adapters().isEmpty()
                    ? new ProbeTask(model, tok, train, tb, s.batchSize(), s.seed())
                    : new AdapterTask(model, tok, train, tb, s.batchSize(), s.seed());
            SameDiffTrainer trainer = task.trainer();
            RunCheckpoint.Position start = new RunCheckpoint.Position(0, 0);
            if (s.resume()) {
                RunCheckpoint.Resumed r = ckpt.resume(trainer, history);
                start = r.position();
                prior = r.totals();
                best = r.best();
                checkPosition(ckpt.file(), start, task, epochs);
                err.printf(Locale.ROOT, "resuming at step %d (epoch %d/%d, batch %d) from %s%n", r.step(),
                        Math.min(start.epoch() + 1, epochs), epochs, start.batch(), ckpt.file());
            }
            DivergenceGuard guard = new DivergenceGuard(train.numClasses());
            for (int epoch = start.epoch(); epoch < epochs && trainer.iteration() < total; epoch++) {
                long e0 = System.nanoTime();
                List<int[]> batches = task.batches(epoch);
                int first = epoch == start.epoch() ? start.batch() : 0;
                ProgressBar bar = ProgressBar.forConsole(err, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1,
                        epochs), Math.min(batches.size() - first, total - trainer.iteration()));
                for (int b = first; b < batches.size() && trainer.iteration() < total; b++) {
                    int[] idx = batches.get(b);
                    if (task.collectsGarbage() && trainer.iteration() % GC_EVERY == 0) {
                        System.gc();   // SameDiff engine: ND4J frees native buffers when their Java wrappers are collected
                    }
                    double lr = trainer.learningRate();
                    float loss = task.step(idx);
                    guard.check(trainer.iteration(), loss, trainer.lastGradNorm(), lr);
                    history.step(loss);
                    bar.step(idx.length, loss);
                    trainExamples += idx.length;
                    if (val != null && s.evalEvery() > 0 && trainer.iteration() % s.evalEvery() == 0) {
                        validate(task, val, trainer, best, history);
                    }
                    if (s.checkpointEvery() > 0 && trainer.iteration() % s.checkpointEvery() == 0
                            && b + 1 < batches.size() && trainer.iteration() < total) {
                        long now = System.nanoTime();
                        trainNanos += now - e0;
                        e0 = now;
                        ckpt.save(trainer, new RunCheckpoint.Position(epoch, b + 1), history, best,
                                totals(prior, t0, trainNanos, trainExamples));
                    }
                }
                bar.finish();
                trainer.endEpoch();
                trainNanos += System.nanoTime() - e0;
                if (val != null) {
                    validate(task, val, trainer, best, history);
                    BestOnValidation.Point last = best.history().get(best.history().size() - 1);
                    err.printf(Locale.ROOT, "epoch %d/%d: validation accuracy %.4f  macro-F1 %.4f%n", epoch + 1, epochs,
                            last.accuracy(), last.macroF1());
                } else {
                    err.printf(Locale.ROOT, "epoch %d/%d: done (step %d)%n", epoch + 1, epochs, trainer.iteration());
                }
                ckpt.save(trainer, new RunCheckpoint.Position(epoch + 1, 0), history, best,
                        totals(prior, t0, trainNanos, trainExamples));
            }
            if (best.params() != null) {
                task.restoreParams(best.params());   // the step chosen on validation
            }
            report = task.evaluate(split.test());     // test: scored once, never used for a choice
            history.checkpoint(best.report() == null ? total : best.step(), Double.NaN, report.accuracy());
            task.finish();
        }
        err.printf(Locale.ROOT, "%s; test accuracy %.4f  macro-F1 %.4f%n", best.report() == null
                ? "no validation split: last step " + total : String.format(Locale.ROOT, "best step %d of %d on validation "
                + "(accuracy %.4f)", best.step(), total, best.report().accuracy()), report.accuracy(), report.macroF1());
        RunFiles.startOutputs(dir, s, train.labelNames());   // a finished run being resumed stays loadable until here
        RunFolder.writeModel(dir, model);
        AdapterFiles.write(dir.resolve(RunFolder.ADAPTER_DIR), s, model, train.labelNames());
        TrainingChart.write(dir.resolve(RunFolder.CHART), history, s.describe(), 1000, 450);
        RunCheckpoint.Totals all = totals(prior, t0, trainNanos, trainExamples);
        double rate = all.trainNanos() == 0 ? 0 : all.trainExamples() / (all.trainNanos() / 1e9);
        Result r = new Result(best.report(), report, best.report() == null ? total : best.step(), total,
                all.wallSeconds(), rate, Resources.peakRssBytes(), model.summary().trainable(), model.summary().total());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validation", best.report());
        metrics.put("test", report);
        metrics.put("bestStep", r.bestStep());
        metrics.put("steps", total);
        metrics.put("validationHistory", best.history());
        metrics.put("examples", Map.of("train", train.size(), "validation", val == null ? 0 : val.size(),
                "test", split.test().size()));
        metrics.put("wallSeconds", all.wallSeconds());
        metrics.put("trainExamplesPerSecond", rate);
        metrics.put("processes", all.processes());
        metrics.put("peakRssBytes", r.peakRssBytes());
        metrics.put("trainableParams", r.trainableParams());
        metrics.put("totalParams", r.totalParams());
        MetricsJson.write(dir.resolve(RunFolder.METRICS), metrics);
        RunManifest.write(dir, fingerprint.base());   // last: the run is complete
        return r;
    }

    /**
     * Validates now (once per step): offers the current parameters to the selection and records the
     * validation accuracy as a checkpoint of the chart's history.
     */
    private static void validate(TrainingTask task, TextDataset val, SameDiffTrainer trainer, BestOnValidation best,
                                 TrainingHistory history) {
        if (!best.validatedAt(trainer.iteration())) {
            ClassificationReport r = task.evaluate(val);
            best.offer(trainer.iteration(), r, trainer::params);
            history.checkpoint(trainer.iteration(), r.accuracy(), Double.NaN);
        }
    }

    /** Totals of all processes of the run: the prior ones' plus this one's so far. */
    private static RunCheckpoint.Totals totals(RunCheckpoint.Totals prior, long t0, long trainNanos, long examples) {
        return new RunCheckpoint.Totals(prior.wallSeconds() + (System.nanoTime() - t0) / 1e9,
                prior.trainNanos() + trainNanos, prior.trainExamples() + examples, prior.processes() + 1);
    }

    private static void checkPosition(Path file, RunCheckpoint.Position p, TrainingTask task, int epochs)
            throws IOException {
        if (p.epoch() > epochs || p.epoch() < epochs && p.batch() >= task.batches(p.epoch()).size()
                || p.epoch() == epochs && p.batch() != 0) {
            throw new IOException(file + ": position epoch " + p.epoch() + ", batch " + p.batch()
                    + " is outside this run of " + epochs + " epochs");
        }
    }

    /** Accuracy, macro-F1 and confusion matrix of the model on a dataset. */
    public static ClassificationReport evaluate(Classifier model, TokenBatcher tok, TextDataset data) {
        int[] pred = Classifier.argmax(model.probabilities(tok, data.texts(), EVAL_BATCH));
        return ClassificationReport.of(data.labels(), pred, data.labelNames());
    }
}
