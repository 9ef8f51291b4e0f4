package dev.hora.finetune;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hora.io.Checkpoint;
import dev.hora.io.CheckpointStore;
import dev.hora.io.SafetensorsHeader;
import dev.hora.io.TensorSpec;
import dev.hora.metrics.MetricsJson;
import dev.hora.report.TrainingHistory;
import dev.hora.train.SameDiffTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checkpoint of a fine-tuning run: the trainer state ({@link SameDiffTrainer#state()}) plus,
 * as metadata, where the run stands and what it is:
 * <pre>
 *   hora.epoch, hora.batch   the next batch to run: batch b of epoch e (0-based; b = 0 after an epoch end)
 *   hora.history             step losses and the validation accuracy at each validation so far (JSON)
 *   hora.best, best/NAME     the selection on validation so far ({@link BestOnValidation})
 *   hora.fingerprint         {@link RunFingerprint} (JSON); --resume refuses a mismatch, listing what changed
 *   hora.wallSeconds, hora.trainNanos, hora.trainExamples, hora.processes
 *                            totals of all processes of the run so far, for its metrics
 * </pre>
 * Written every {@code --checkpoint-every} optimizer steps and at each epoch end, atomically.
 */
final class RunCheckpoint {
    static final String EPOCH = "hora.epoch";
    static final String BATCH = "hora.batch";
    static final String HISTORY = "hora.history";
    static final String FINGERPRINT = "hora.fingerprint";
    static final String WALL = "hora.wallSeconds";
    static final String TRAIN_NANOS = "hora.trainNanos";
    static final String EXAMPLES = "hora.trainExamples";
    static final String PROCESSES = "hora.processes";

    /** The next batch to run. */
    record Position(int epoch, int batch) {
    }

    /** Totals of all processes of a run. */
    record Totals(double wallSeconds, long trainNanos, long trainExamples, int processes) {
        static final Totals NONE = new Totals(0, 0, 0, 0);
    }

    /** What {@link #resume} restored. */
    record Resumed(long step, Position position, Totals totals, BestOnValidation best) {
    }

    private final CheckpointStore store;
    private final RunFingerprint fingerprint;

    RunCheckpoint(Path dir, RunFingerprint fingerprint) {
        this.store = new CheckpointStore(dir);
        this.fingerprint = fingerprint;
    }

    Path file() {
        return store.file();
    }

    void save(SameDiffTrainer trainer, Position at, TrainingHistory history, BestOnValidation best, Totals totals)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(EPOCH, Integer.toString(at.epoch()));
        meta.put(BATCH, Integer.toString(at.batch()));
        meta.put(HISTORY, historyJson(history));
        meta.put(FINGERPRINT, fingerprint.toJson());
        meta.put(WALL, Double.toString(totals.wallSeconds()));
        meta.put(TRAIN_NANOS, Long.toString(totals.trainNanos()));
        meta.put(EXAMPLES, Long.toString(totals.trainExamples()));
        meta.put(PROCESSES, Integer.toString(totals.processes()));
        Map<String, INDArray> tensors = new LinkedHashMap<>(trainer.state());
        best.addTo(tensors, meta);
        store.save(new Checkpoint(trainer.iteration(), tensors, meta));
    }

    /**
     * Checks the fingerprint, then restores the trainer, the history and the selection on validation.
     *
     * @throws IOException naming the checkpoint file and what is wrong or what changed
     */
    Resumed resume(SameDiffTrainer trainer, TrainingHistory history) throws IOException {
        Path f = store.file();
        if (!Files.exists(f)) {
            throw new IOException(f + ": no checkpoint to resume");
        }
        String fp = SafetensorsHeader.read(f).metadata().get(FINGERPRINT);   // first: a different run is named as such
        if (fp == null) {
            store.load(dev.hora.io.HeaderCheck.ANY);   // not a hora checkpoint at all: refused as such, from its header
            throw new IOException(f + ": no run fingerprint (written by an older hora); it cannot be checked, "
                    + "start a new run");
        }
        List<String> changed = RunFingerprint.parse(f, fp).differences(fingerprint);
        if (!changed.isEmpty()) {
            throw new IOException(f + ": the checkpoint belongs to a different run; changed since it was written:\n  "
                    + String.join("\n  ", changed));
        }
        // then its tensors, checked from the header against this run's trainer before any is read
        Map<String, long[]> bestShapes = new LinkedHashMap<>();
        trainer.params().forEach((n, a) -> bestShapes.put(BestOnValidation.TENSOR_PREFIX + n, a.shape()));
        Checkpoint c = store.load(TensorSpec.like(trainer.state()).withOptional(bestShapes))
                .orElseThrow(() -> new IOException(f + ": no checkpoint to resume"));
        Map<String, String> m = c.metadata();
        if (!fp.equals(m.get(FINGERPRINT))) {
            throw new IOException(f + ": the run fingerprint changed while the checkpoint was read");
        }
        try {
            trainer.restore(c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": does not fit this run's model: " + e.getMessage(), e);
        }
        if (trainer.iteration() != c.step()) {
            throw new IOException(f + ": metadata hora.step " + c.step() + " disagrees with the trainer's iteration "
                    + trainer.iteration());
        }
        Map<String, List<Double>> h;
        try {
            h = MetricsJson.MAPPER.readValue(m.getOrDefault(HISTORY, "{}"), new TypeReference<Map<String, List<Double>>>() { });
        } catch (IOException e) {
            throw new IOException(f + ": metadata " + HISTORY + " is not valid: " + e.getMessage(), e);
        }
        h.getOrDefault("stepLoss", List.of()).forEach(history::step);
        List<Double> acc = h.getOrDefault("checkpointValidationAccuracy", List.of());
        List<Double> steps = h.getOrDefault("checkpointSteps", List.of());
        if (steps.size() != acc.size()) {
            throw new IOException(f + ": metadata " + HISTORY + " has " + acc.size() + " accuracies for "
                    + steps.size() + " checkpoint steps");
        }
        for (int i = 0; i < acc.size(); i++) {
            history.checkpoint(steps.get(i).intValue(), acc.get(i), Double.NaN);
        }
        Position at = new Position(integer(f, m, EPOCH), integer(f, m, BATCH));
        Totals t = new Totals(number(f, m, WALL), count(f, m, TRAIN_NANOS), count(f, m, EXAMPLES), integer(f, m, PROCESSES));
        BestOnValidation best;
        try {
            best = BestOnValidation.from(c);
        } catch (IOException | RuntimeException e) {
            throw new IOException(f + ": metadata " + BestOnValidation.META + " is not valid: " + e.getMessage(), e);
        }
        return new Resumed(c.step(), at, t, best);
    }

    private static String require(Path f, Map<String, String> m, String key) throws IOException {
        String v = m.get(key);
        if (v == null) {
            throw new IOException(f + ": metadata '" + key + "' is missing");
        }
        return v;
    }

    private static long count(Path f, Map<String, String> m, String key) throws IOException {
        String v = require(f, m, key);
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(f + ": metadata '" + key + "' is '" + v + "', expected a non-negative integer");
    }

    private static int integer(Path f, Map<String, String> m, String key) throws IOException {
        long n = count(f, m, key);
        if (n > Integer.MAX_VALUE) {
            throw new IOException(f + ": metadata '" + key + "' is " + n + ", too large");
        }
        return (int) n;
    }

    private static double number(Path f, Map<String, String> m, String key) throws IOException {
        String v = require(f, m, key);
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(f + ": metadata '" + key + "' is '" + v + "', expected a non-negative number");
    }

    private static String historyJson(TrainingHistory h) {
        Map<String, List<Double>> m = new LinkedHashMap<>();
        m.put("stepLoss", h.stepLoss());
        m.put("checkpointValidationAccuracy", h.checkpoints().stream()
                .map(TrainingHistory.Checkpoint::validationAccuracy).toList());
        m.put("checkpointSteps", h.checkpoints().stream().map(cp -> (double) cp.step()).toList());
        return MetricsJson.toJson(m);
    }
}
