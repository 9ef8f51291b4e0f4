package dev.hora.spark.score;

import dev.hora.fit.Classifier;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores one partition lazily, {@code batchSize} rows at a time, as {@code hora predict} does:
 * <pre>
 *   rows r_1..r_B  ->  TokenBatcher.encode(texts)  [B, S] (padded to the batch's longest)
 *                  ->  predictProba(ids, mask, types, adapterNames) [B, n]   (or pooled [B, d]; merged: predictProba)
 *                  ->  (id_i, adapter_i, argmax_i, values_i [n or d] as float)
 * </pre>
 * Rows naming different adapters share one batch (the frozen GEMMs once, each adapter's low-rank path on its
 * rows). Output rows come in input order; a retried task recomputes the whole partition, so the job's output
 * holds each input row once.
 */
final class PartitionScorer implements Iterator<Row> {
    private final Iterator<Row> in;
    private final ScoreSpec spec;
    private final ExecutorModels.Loaded model;
    private final TokenBatcher tokenizer;
    private final int textIdx;
    private final int idIdx;
    private final int adapterIdx;
    private final int failAfterBatches;
    private final List<Row> ready = new ArrayList<>();
    private int next;
    private int batches;

    /**
     * @param failAfterBatches test hook: on the task's first attempt, throw after this many batches (-1: never)
     */
    PartitionScorer(Iterator<Row> in, ScoreSpec spec, AdapterBundle bundle, int textIdx, int idIdx, int adapterIdx,
                    int failAfterBatches) {
        this.in = in;
        this.spec = spec;
        this.model = ExecutorModels.get(spec, bundle);
        this.tokenizer = dev.hora.spark.Backbones.tokenizer(spec.model(), spec.tokenizer(), spec.maxLength());
        TaskContext tc = TaskContext.get();
        if (tc != null) {
            tc.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> tokenizer.close());
        }
        this.textIdx = textIdx;
        this.idIdx = idIdx;
        this.adapterIdx = adapterIdx;
        this.failAfterBatches = failAfterBatches;
    }

    @Override
    public boolean hasNext() {
        if (next < ready.size()) {
            return true;
        }
        if (!in.hasNext()) {
            return false;
        }
        scoreNextBatch();
        return true;
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.get(next++);
    }

    private void scoreNextBatch() {
        TaskContext tc = TaskContext.get();
        if (failAfterBatches >= 0 && batches == failAfterBatches && tc != null && tc.attemptNumber() == 0) {
            throw new IllegalStateException("test hook: task of partition " + tc.partitionId() + " killed on its first "
                    + "attempt after " + batches + " batches");
        }
        List<Row> rows = new ArrayList<>(spec.batchSize());
        while (rows.size() < spec.batchSize() && in.hasNext()) {
            rows.add(in.next());
        }
        List<String> texts = new ArrayList<>(rows.size());
        List<String> names = new ArrayList<>(rows.size());
        for (Row r : rows) {
            if (r.isNullAt(textIdx)) {
                throw new IllegalArgumentException("column '" + spec.textColumn() + "' is null in the row of "
                        + spec.idColumn() + " = " + r.get(idIdx));
            }
            texts.add(r.getString(textIdx));
            names.add(adapterIdx >= 0 ? r.getString(adapterIdx) : spec.adapter());
        }
        Batch b = tokenizer.encode(texts);
        INDArray out = run(b, names);
        float[][] values = out.toFloatMatrix();
        ready.clear();
        next = 0;
        for (int i = 0; i < rows.size(); i++) {
            Integer label = spec.output() == ScoreSpec.Output.PROBABILITIES
                    ? Classifier.argmax(new float[][]{values[i]})[0] : null;
            ready.add(RowFactory.create(rows.get(i).get(idIdx), names.get(i), label, values[i]));
        }
        batches++;
    }

    private INDArray run(Batch b, List<String> names) {
        INDArray ids = b.inputIdsArray();
        INDArray mask = b.attentionMaskArray();
        INDArray types = b.tokenTypeIdsArray();
        if (model.merged() != null) {
            return model.merged().predictProba(ids, mask, types);
        }
        if (spec.output() == ScoreSpec.Output.EMBEDDING) {
            return model.peft().pooled(ids, mask, types, Collections.unmodifiableList(names));
        }
        return model.peft().predictProba(ids, mask, types, names);
    }
}
