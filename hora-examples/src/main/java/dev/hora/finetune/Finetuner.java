package dev.hora.finetune;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hora.data.Split;
import dev.hora.data.TextDataset;
import dev.hora.io.Checkpoint;
import dev.hora.io.CheckpointStore;
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
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fine-tuning loop behind {@code hora finetune}:
 * <pre>
 *   import ONNX encoder -> PeftModel (adapters + head) -> per epoch: seeded, length-bucketed batches,
 *   AdamW steps (warmup 10%, linear decay, clip 1.0; --steps N: exactly N steps, repeating epochs)
 *   -> validation accuracy after each epoch (and every --eval-every steps) -> atomic checkpoint
 *   -> the best step on validation is restored -> test accuracy / macro-F1, scored once
 *   -> model.safetensors, adapter/, metrics.json, training.png
 * </pre>
 * A run resumed with {@code --resume} restarts after the last complete epoch with the same batch
 * order and the same best-so-far, so it ends where an uninterrupted run would.
 */
public final class Finetuner {
    private static final String EPOCH_META = "hora.epoch";
    /**
     * Steps between explicit garbage collections. Each step leaves ~100 MB of native op outputs
     * whose Java wrappers are tiny, so the heap rarely fills and the JVM rarely collects them;
     * without this a run's resident memory climbed past 5 GB.
     */
    private static final int GC_EVERY = 1;
    /** Evaluation batch: 32 sequences keep the kernel path's workspaces within the training step's size. */
    static final int EVAL_BATCH = 32;
    private static final String HISTORY_META = "hora.history";

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

    public Result run(Split split, ModelSource source) throws IOException {
        long t0 = System.nanoTime();
        Path dir = Path.of(s.output());
        TextDataset train = split.train();
        TextDataset val = split.validation();
        PeftModel model = RunSpec.model(s, RunFolder.importModel(source), train.numClasses());
        out.println(model.summary());
        int stepsPerEpoch = (train.size() + s.batchSize() - 1) / s.batchSize();
        int total = s.steps() > 0 ? s.steps() : stepsPerEpoch * s.epochs();
        int epochs = (total + stepsPerEpoch - 1) / stepsPerEpoch;
        SameDiffTrainer.Builder tb = SameDiffTrainer.builder().adam(s.lr(), total / 10, total).maxGradNorm(1.0);
        TrainingHistory history = new TrainingHistory();
        CheckpointStore store = new CheckpointStore(dir);
        RunFolder.writeLabels(dir, train.labelNames());

        ClassificationReport report;
        BestOnValidation best = new BestOnValidation();
        long trainExamples = 0;
        long trainNanos = 0;
        try (TokenBatcher tok = source.batcher(s.maxLength())) {
            TrainingTask task = model.adapters().isEmpty()
                    ? new ProbeTask(model, tok, train, tb, s.batchSize(), s.seed())
                    : new AdapterTask(model, tok, train, tb, s.batchSize(), s.seed());
            SameDiffTrainer trainer = task.trainer();
            int startEpoch = 0;
            if (s.resume()) {
                Checkpoint c = resume(store, trainer, history);
                startEpoch = Integer.parseInt(c.metadata().getOrDefault(EPOCH_META, "0"));
                best = BestOnValidation.from(c);
            }
            for (int epoch = startEpoch; epoch < epochs && trainer.iteration() < total; epoch++) {
                long e0 = System.nanoTime();
                ProgressBar bar = ProgressBar.forConsole(err, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1,
                        epochs), Math.min(stepsPerEpoch, total - trainer.iteration()));
                for (int[] idx : task.batches(epoch)) {
                    if (trainer.iteration() >= total) {
                        break;
                    }
                    if (task.collectsGarbage() && trainer.iteration() % GC_EVERY == 0) {
                        System.gc();   // SameDiff engine: ND4J frees native buffers when their Java wrappers are collected
                    }
                    float loss = task.step(idx);
                    history.step(loss);
                    bar.step(idx.length, loss);
                    trainExamples += idx.length;
                    if (val != null && s.evalEvery() > 0 && trainer.iteration() % s.evalEvery() == 0) {
                        validate(task, val, trainer, best, history);
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
                Map<String, INDArray> tensors = new LinkedHashMap<>(trainer.state());
                Map<String, String> meta = new LinkedHashMap<>(Map.of(EPOCH_META, Integer.toString(epoch + 1),
                        HISTORY_META, historyJson(history)));
                best.addTo(tensors, meta);
                store.save(new Checkpoint(trainer.iteration(), tensors, meta));
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
        RunFolder.writeModel(dir, model);
        AdapterFiles.write(dir.resolve(RunFolder.ADAPTER_DIR), s, model, train.labelNames());
        TrainingChart.write(dir.resolve(RunFolder.CHART), history, s.describe(), 1000, 450);
        double wall = (System.nanoTime() - t0) / 1e9;
        double rate = trainNanos == 0 ? 0 : trainExamples / (trainNanos / 1e9);
        Result r = new Result(best.report(), report, best.report() == null ? total : best.step(), total, wall, rate,
                Resources.peakRssBytes(), model.summary().trainable(), model.summary().total());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("validation", best.report());
        metrics.put("test", report);
        metrics.put("bestStep", r.bestStep());
        metrics.put("steps", total);
        metrics.put("validationHistory", best.history());
        metrics.put("examples", Map.of("train", train.size(), "validation", val == null ? 0 : val.size(),
                "test", split.test().size()));
        metrics.put("wallSeconds", wall);
        metrics.put("trainExamplesPerSecond", rate);
        metrics.put("peakRssBytes", r.peakRssBytes());
        metrics.put("trainableParams", r.trainableParams());
        metrics.put("totalParams", r.totalParams());
        MetricsJson.write(dir.resolve(RunFolder.METRICS), metrics);
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

    /** Accuracy, macro-F1 and confusion matrix of the model on a dataset. */
    public static ClassificationReport evaluate(Classifier model, TokenBatcher tok, TextDataset data) {
        int[] pred = Classifier.argmax(model.probabilities(tok, data.texts(), EVAL_BATCH));
        return ClassificationReport.of(data.labels(), pred, data.labelNames());
    }

    private Checkpoint resume(CheckpointStore store, SameDiffTrainer trainer, TrainingHistory history) throws IOException {
        Checkpoint c = store.load().orElseThrow(() -> new IOException(store.file() + ": no checkpoint to resume"));
        try {
            trainer.restore(c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IOException(store.file() + ": does not fit this run's model: " + e.getMessage(), e);
        }
        int epoch = Integer.parseInt(c.metadata().getOrDefault(EPOCH_META, "0"));
        Map<String, List<Double>> h = MetricsJson.MAPPER.readValue(c.metadata().getOrDefault(HISTORY_META, "{}"),
                new TypeReference<Map<String, List<Double>>>() { });
        h.getOrDefault("stepLoss", List.of()).forEach(history::step);
        List<Double> acc = h.getOrDefault("checkpointValidationAccuracy", List.of());
        List<Double> steps = h.getOrDefault("checkpointSteps", List.of());
        for (int i = 0; i < acc.size() && i < steps.size(); i++) {
            history.checkpoint(steps.get(i).intValue(), acc.get(i), Double.NaN);
        }
        err.printf(Locale.ROOT, "resuming after epoch %d (step %d) from %s%n", epoch, c.step(), store.file());
        return c;
    }

    private static String historyJson(TrainingHistory h) {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        m.put("stepLoss", h.stepLoss());
        m.put("checkpointSteps", h.checkpoints().stream().map(cp -> (double) cp.step()).toList());
        m.put("checkpointValidationAccuracy", h.checkpoints().stream().map(TrainingHistory.Checkpoint::validationAccuracy)
                .toList());
        return MetricsJson.toJson(m);
    }
}
