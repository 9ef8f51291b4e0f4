package dev.hora.finetune;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.ModelSource;
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

/**
 * The fine-tuning loop behind {@code hora finetune}:
 * <pre>
 *   import ONNX encoder -> PeftModel (adapters + head) -> per epoch: seeded, length-bucketed batches,
 *   AdamW steps (warmup 10%, linear decay, clip 1.0) -> test accuracy / macro-F1 -> atomic checkpoint
 *   -> model.safetensors, adapter/, metrics.json, training.png
 * </pre>
 * A run resumed with {@code --resume} restarts after the last complete epoch with the same batch
 * order, so it ends where an uninterrupted run would.
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

    /** What a run measured. */
    public record Result(ClassificationReport test, double wallSeconds, double trainExamplesPerSecond,
                         long peakRssBytes, long trainableParams, long totalParams) {
    }

    public Result run(Split split, ModelSource source) throws IOException {
        long t0 = System.nanoTime();
        Path dir = Path.of(s.output());
        TextDataset train = split.train();
        TextDataset test = split.test();
        PeftModel model = RunSpec.model(s, RunFolder.importModel(source), train.numClasses());
        out.println(model.summary());
        int stepsPerEpoch = (train.size() + s.batchSize() - 1) / s.batchSize();
        int total = stepsPerEpoch * s.epochs();
        SameDiffTrainer.Builder tb = SameDiffTrainer.builder().adam(s.lr(), total / 10, total).maxGradNorm(1.0);
        TrainingHistory history = new TrainingHistory();
        CheckpointStore store = new CheckpointStore(dir);
        RunFolder.writeLabels(dir, train.labelNames());

        ClassificationReport report = null;
        long trainExamples = 0;
        long trainNanos = 0;
        try (TokenBatcher tok = source.batcher(s.maxLength())) {
            TrainingTask task = model.adapters().isEmpty()
                    ? new ProbeTask(model, tok, train, test, tb, s.batchSize(), s.seed())
                    : new AdapterTask(model, tok, train, test, tb, s.batchSize(), s.seed());
            SameDiffTrainer trainer = task.trainer();
            int startEpoch = s.resume() ? resume(store, trainer, history) : 0;
            for (int epoch = startEpoch; epoch < s.epochs(); epoch++) {
                long e0 = System.nanoTime();
                ProgressBar bar = ProgressBar.forConsole(err, String.format(Locale.ROOT, "epoch %d/%d", epoch + 1,
                        s.epochs()), stepsPerEpoch);
                for (int[] idx : task.batches(epoch)) {
                    if (task.collectsGarbage() && trainer.iteration() % GC_EVERY == 0) {
                        System.gc();   // SameDiff engine: ND4J frees native buffers when their Java wrappers are collected
                    }
                    float loss = task.step(idx);
                    history.step(loss);
                    bar.step(idx.length, loss);
                }
                bar.finish();
                trainer.endEpoch();
                trainNanos += System.nanoTime() - e0;
                trainExamples += train.size();
                report = task.evaluate();
                history.checkpoint(history.stepLoss().size(), Double.NaN, report.accuracy());
                err.printf(Locale.ROOT, "epoch %d/%d: test accuracy %.4f  macro-F1 %.4f%n", epoch + 1, s.epochs(),
                        report.accuracy(), report.macroF1());
                store.save(new Checkpoint(trainer.iteration(), trainer.state(),
                        Map.of(EPOCH_META, Integer.toString(epoch + 1), HISTORY_META, historyJson(history))));
            }
            if (report == null) {
                report = task.evaluate();   // resumed a finished run
            }
            task.finish();
        }
        RunFolder.writeModel(dir, model);
        AdapterFiles.write(dir.resolve(RunFolder.ADAPTER_DIR), s, model, train.labelNames());
        TrainingChart.write(dir.resolve(RunFolder.CHART), history, s.describe(), 1000, 450);
        double wall = (System.nanoTime() - t0) / 1e9;
        double rate = trainNanos == 0 ? 0 : trainExamples / (trainNanos / 1e9);
        Result r = new Result(report, wall, rate, Resources.peakRssBytes(), model.summary().trainable(),
                model.summary().total());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("test", report);
        metrics.put("epochTestAccuracy", history.epochTestAccuracy());
        metrics.put("wallSeconds", wall);
        metrics.put("trainExamplesPerSecond", rate);
        metrics.put("peakRssBytes", r.peakRssBytes());
        metrics.put("trainableParams", r.trainableParams());
        metrics.put("totalParams", r.totalParams());
        MetricsJson.write(dir.resolve(RunFolder.METRICS), metrics);
        return r;
    }

    /** Accuracy, macro-F1 and confusion matrix of the model on a dataset. */
    public static ClassificationReport evaluate(Classifier model, TokenBatcher tok, TextDataset data) {
        int[] pred = Classifier.argmax(model.probabilities(tok, data.texts(), EVAL_BATCH));
        return ClassificationReport.of(data.labels(), pred, data.labelNames());
    }

    private int resume(CheckpointStore store, SameDiffTrainer trainer, TrainingHistory history) throws IOException {
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
        List<Double> acc = h.getOrDefault("epochTestAccuracy", List.of());
        List<Double> steps = h.getOrDefault("checkpointSteps", List.of());
        for (int i = 0; i < acc.size(); i++) {
            int step = i < steps.size() ? steps.get(i).intValue() : (int) c.step();
            history.checkpoint(step, Double.NaN, acc.get(i));
        }
        err.printf(Locale.ROOT, "resuming after epoch %d (step %d) from %s%n", epoch, c.step(), store.file());
        return epoch;
    }

    private static String historyJson(TrainingHistory h) {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        m.put("stepLoss", h.stepLoss());
        m.put("epochTestAccuracy", h.epochTestAccuracy());
        m.put("checkpointSteps", h.checkpoints().stream().map(cp -> (double) cp.step()).toList());
        return MetricsJson.toJson(m);
    }
}
