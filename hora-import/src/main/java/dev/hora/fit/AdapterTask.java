package dev.hora.fit;

import dev.hora.data.TextDataset;
import dev.hora.metrics.ClassificationReport;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.Inputs;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.BatchOrder;
import dev.hora.text.TokenBatcher;
import dev.hora.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains adapters and head through the whole encoder: per step, tokenize the batch (padded to its
 * longest), forward, backward to the adapter and head variables, AdamW. Batches are length-bucketed.
 */
final class AdapterTask implements TrainingTask {
    private final PeftModel model;
    private final String adapter;
    private final TokenBatcher tok;
    private final TextDataset train;
    private final Trainer trainer;
    private final int[] lengths;
    private final int batchSize;
    private final long seed;

    AdapterTask(PeftModel model, String adapter, TokenBatcher tok, TextDataset train, Trainer.Builder b, int batchSize,
                long seed) {
        this.model = model;
        this.adapter = adapter;
        this.tok = tok;
        this.train = train;
        this.trainer = b.objective(model.objective(adapter)).build();   // with the adapter's learning-rate multipliers
        this.lengths = train.texts().stream().mapToInt(t -> tok.ids(t).length).toArray();
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public Trainer trainer() {
        return trainer;
    }

    @Override
    public List<int[]> batches(int epoch) {
        return BatchOrder.bucketed(lengths, batchSize, seed, epoch, 20);
    }

    @Override
    public float step(int[] idx) {
        List<String> texts = new ArrayList<>(idx.length);
        for (int i : idx) {
            texts.add(train.examples().get(i).text());
        }
        Batch b = tok.encode(texts);
        Map<String, INDArray> feed = Inputs.feed(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray());
        feed.put(ClassifierHead.LABELS, TrainingTask.oneHot(train, idx));
        return trainer.step(feed);
    }

    @Override
    public ClassificationReport evaluate(TextDataset data) {
        return Fit.evaluate(Classifier.of(model, adapter), tok, data, batchSize);
    }
}
