package dev.hora.finetune;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.hora.io.Checkpoint;
import dev.hora.io.HeaderCheck;
import dev.hora.fit.BestOnValidation;
import dev.hora.fit.FileCheckpoints;
import dev.hora.metrics.MetricsJson;
import dev.hora.report.TrainingHistory;
import dev.hora.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The checkpoint of a fine-tuning run: {@link FileCheckpoints}' trainer state, position and selection on
 * validation plus, as metadata, what the run is and what it did so far:
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
final class RunCheckpoint extends FileCheckpoints {
    static final String HISTORY = "hora.history";
    static final String FINGERPRINT = "hora.fingerprint";
    static final String WALL = "hora.wallSeconds";
    static final String TRAIN_NANOS = "hora.trainNanos";
    static final String EXAMPLES = "hora.trainExamples";
    static final String PROCESSES = "hora.processes";

    /** Totals of all processes of a run. */
    record Totals(double wallSeconds, long trainNanos, long trainExamples, int processes) {
        static final Totals NONE = new Totals(0, 0, 0, 0);
    }

    private final RunFingerprint fingerprint;
    private final TrainingHistory history;
    private final Supplier<Totals> totals;
    private Totals resumed = Totals.NONE;
    private String headerFingerprint;

    /** @param totals the run's totals so far, read at each save */
    RunCheckpoint(Path dir, RunFingerprint fingerprint, TrainingHistory history, Supplier<Totals> totals) {
        super(dir);
        this.fingerprint = fingerprint;
        this.history = history;
        this.totals = totals;
    }

    /** The totals of the processes before this one (zero unless resumed). */
    Totals resumedTotals() {
        return resumed;
    }

    @Override
    protected void addMetadata(Map<String, String> meta) {
        Totals t = totals.get();
        meta.put(HISTORY, historyJson(history));
        meta.put(FINGERPRINT, fingerprint.toJson());
        meta.put(WALL, Double.toString(t.wallSeconds()));
        meta.put(TRAIN_NANOS, Long.toString(t.trainNanos()));
        meta.put(EXAMPLES, Long.toString(t.trainExamples()));
        meta.put(PROCESSES, Integer.toString(t.processes()));
    }

    /** A run resumes only from its own checkpoint: an absent one is an error naming the file. */
    @Override
    public Optional<Resumed> resume(Trainer trainer) throws IOException {
        Optional<Resumed> r = super.resume(trainer);
        if (r.isEmpty()) {
            throw new IOException(file() + ": no checkpoint to resume");
        }
        return r;
    }

    /** Checks the fingerprint from the header, before any tensor is read: a different run is named as such. */
    @Override
    protected void checkHeader(Map<String, String> metadata) throws IOException {
        Path f = file();
        String fp = metadata.get(FINGERPRINT);
        if (fp == null) {
            store().load(HeaderCheck.ANY);   // not a hora checkpoint at all: refused as such, from its header
            throw new IOException(f + ": no run fingerprint (written by an older hora); it cannot be checked, "
                    + "start a new run");
        }
        List<String> changed = RunFingerprint.parse(f, fp).differences(fingerprint);
        if (!changed.isEmpty()) {
            throw new IOException(f + ": the checkpoint belongs to a different run; changed since it was written:\n  "
                    + String.join("\n  ", changed));
        }
        headerFingerprint = fp;
    }

    /** The tensors were read: the fingerprint must still be the one checked. */
    @Override
    protected void check(Checkpoint c) throws IOException {
        if (!headerFingerprint.equals(c.metadata().get(FINGERPRINT))) {
            throw new IOException(file() + ": the run fingerprint changed while the checkpoint was read");
        }
    }

    /** Restores the history and the totals. */
    @Override
    protected void restored(Checkpoint c) throws IOException {
        Path f = file();
        Map<String, String> m = c.metadata();
        Map<String, List<Double>> h;
        try {
            h = MetricsJson.MAPPER.readValue(m.getOrDefault(HISTORY, "{}"), new TypeReference<Map<String, List<Double>>>() { });
        } catch (IOException e) {
            throw new IOException(f + ": metadata " + HISTORY + " is not valid: " + e.getMessage(), e);
        }
        List<Double> acc = h.getOrDefault("checkpointValidationAccuracy", List.of());
        List<Double> steps = h.getOrDefault("checkpointSteps", List.of());
        if (steps.size() != acc.size()) {
            throw new IOException(f + ": metadata " + HISTORY + " has " + acc.size() + " accuracies for "
                    + steps.size() + " checkpoint steps");
        }
        resumed = new Totals(number(f, m, WALL), count(f, m, TRAIN_NANOS), count(f, m, EXAMPLES), integer(f, m, PROCESSES));
        h.getOrDefault("stepLoss", List.of()).forEach(history::step);
        for (int i = 0; i < acc.size(); i++) {
            history.checkpoint(steps.get(i).intValue(), acc.get(i), Double.NaN);
        }
    }

    private static double number(Path f, Map<String, String> m, String key) throws IOException {
        String v = m.get(key);
        if (v == null) {
            throw new IOException(f + ": metadata '" + key + "' is missing");
        }
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
