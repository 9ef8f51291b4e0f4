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
import dev.hora.fit.BestOnValidation;
import dev.hora.fit.Classifier;
import dev.hora.fit.Fit;
import dev.hora.fit.FitListener;
import dev.hora.fit.FitOptions;
import dev.hora.fit.FitResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code hora finetune}: one run directory around the library's {@link Fit}:
 * <pre>
 *   import ONNX encoder -> PeftModel (adapter "default" + head) -> Fit.fit: seeded, length-bucketed batches,
 *   AdamW steps (warmup 10%, linear decay, clip 1.0; --steps N: exactly N steps, repeating epochs),
 *   validation after each epoch (and every --eval-every steps), atomic checkpoints, the best step on
 *   validation restored -> test accuracy / macro-F1, scored once
 *   -> model.safetensors, adapter/, metrics.json, training.png, manifest.json (last)
 * </pre>
 * Checkpoints ({@link RunCheckpoint}: the library's checkpoint plus the run's fingerprint, history and
 * totals) are written every {@code --checkpoint-every} optimizer steps and at each epoch end;
 * {@code --resume} checks the run's fingerprint, then continues at the exact next batch of the same
 * seeded batch order with the same best-so-far, so it ends bit-identical to an uninterrupted run.
 */
public final class Finetuner {
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
        TrainingHistory history = new TrainingHistory();
        Progress progress = new Progress(history, t0);
        RunCheckpoint ckpt = new RunCheckpoint(dir, fingerprint, history, progress::totals);
        progress.checkpoint = ckpt;
        PeftModel model = RunSpec.model(s, RunFolder.importModel(source), train.numClasses());
        out.println(model.summary());
        RunLength.of(train.size(), s.batchSize(), s.epochs(), s.steps());   // a too-long run is refused naming its options

        ClassificationReport report;
        FitResult fit;
        try (TokenBatcher tok = source.batcher(s.maxLength())) {
            FitOptions.Builder o = FitOptions.builder(tok).learningRate(s.lr()).epochs(s.epochs()).steps(s.steps())
                    .batchSize(s.batchSize()).seed(s.seed()).evalEvery(s.evalEvery()).listener(progress)
                    .checkpoints(ckpt, s.checkpointEvery(), s.resume());
            fit = Fit.fit(model, PeftModel.DEFAULT, train, val, o.build());
            report = Fit.evaluate(Classifier.of(model, PeftModel.DEFAULT), tok, split.test(),   // scored once, never a choice
                    s.batchSize());
            history.checkpoint(fit.bestStep(), Double.NaN, report.accuracy());
        }
        int total = fit.steps();
        err.printf(Locale.ROOT, "%s; test accuracy %.4f  macro-F1 %.4f%n", fit.validation() == null
                ? "no validation split: last step " + total : String.format(Locale.ROOT, "best step %d of %d on validation "
                + "(accuracy %.4f)", fit.bestStep(), total, fit.validation().accuracy()), report.accuracy(), report.macroF1());
        RunFiles.startOutputs(dir, s, train.labelNames());   // a finished run being resumed stays loadable until here
        RunFolder.writeModel(dir, model);
        AdapterFiles.write(dir.resolve(RunFolder.ADAPTER_DIR), s, model, train.labelNames());
        TrainingChart.write(dir.resolve(RunFolder.CHART), history, s.describe(), 1000, 450);
        RunCheckpoint.Totals all = progress.totals();
        double rate = all.trainNanos() == 0 ? 0 : all.trainExamples() / (all.trainNanos() / 1e9);
        Result r = new Result(fit.validation(), report, fit.bestStep(), total,
                all.wallSeconds(), rate, Resources.peakRssBytes(), model.summary().trainable(), model.summary().total());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validation", fit.validation());
        metrics.put("test", report);
        metrics.put("bestStep", r.bestStep());
        metrics.put("steps", total);
        metrics.put("validationHistory", fit.history());
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
     * What the console and the run's files see of training: a progress bar per epoch, the chart's
     * history, and the run's totals (training time excludes end-of-epoch validation and checkpoints).
     */
    private final class Progress implements FitListener {
        private final TrainingHistory history;
        private final long t0;
        private RunCheckpoint checkpoint;
        private RunCheckpoint.Totals prior = RunCheckpoint.Totals.NONE;
        private ProgressBar bar;
        private long e0;
        private long trainNanos;
        private long trainExamples;

        Progress(TrainingHistory history, long t0) {
            this.history = history;
            this.t0 = t0;
        }

        /** Totals of all processes of the run: the prior ones' plus this one's so far. */
        RunCheckpoint.Totals totals() {
            return new RunCheckpoint.Totals(prior.wallSeconds() + (System.nanoTime() - t0) / 1e9,
                    prior.trainNanos() + trainNanos, prior.trainExamples() + trainExamples, prior.processes() + 1);
        }

        @Override
        public void onResumed(int step, int epoch, int batch, int epochs) {
            prior = checkpoint.resumedTotals();
            err.printf(Locale.ROOT, "resuming at step %d (epoch %d/%d, batch %d) from %s%n", step,
                    Math.min(epoch + 1, epochs), epochs, batch, checkpoint.file());
        }

        @Override
        public void onEpochStart(int epoch, int epochs, int steps) {
            e0 = System.nanoTime();
            bar = ProgressBar.forConsole(err, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, epochs), steps);
        }

        @Override
        public void onStep(int step, float loss, double learningRate, int examples) {
            history.step(loss);
            bar.step(examples, loss);
            trainExamples += examples;
        }

        @Override
        public void onValidation(int step, ClassificationReport validation) {
            history.checkpoint(step, validation.accuracy(), Double.NaN);
        }

        @Override
        public void beforeCheckpoint(int step) {
            long now = System.nanoTime();
            if (bar != null && e0 != 0) {
                trainNanos += now - e0;
                e0 = now;
            }
        }

        @Override
        public void onEpochTrained(int epoch, int epochs) {
            bar.finish();
            trainNanos += System.nanoTime() - e0;
            e0 = 0;
        }

        @Override
        public void onEpochEnd(int epoch, int epochs, int step, BestOnValidation.Point validation) {
            if (validation != null) {
                err.printf(Locale.ROOT, "epoch %d/%d: validation accuracy %.4f  macro-F1 %.4f%n", epoch + 1, epochs,
                        validation.accuracy(), validation.macroF1());
            } else {
                err.printf(Locale.ROOT, "epoch %d/%d: done (step %d)%n", epoch + 1, epochs, step);
            }
        }
    }
}
