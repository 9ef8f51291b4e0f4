package dev.hora.fit;

import dev.hora.data.TextDataset;
import dev.hora.metrics.ClassificationReport;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.BatchOrder;
import dev.hora.text.TokenBatcher;
import dev.hora.train.Trainer;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The frozen-encoder baseline ({@code --adapter none}): the encoder does not change, so its
 * pooled embeddings are computed once, and the linear head trains on them in a small graph
 * {@code pooled [b, d] -> softmax(pooled W + b)}; the result is the same as training the head in
 * the full graph, at a fraction of the cost.
 */
final class ProbeTask implements TrainingTask {
    private static final String POOLED = "pooled";
    private final PeftModel model;
    private final String adapter;
    private final TextDataset train;
    private final TokenBatcher tok;
    private final Map<TextDataset, INDArray> evalEmb = new java.util.IdentityHashMap<>();
    private final SameDiff head = SameDiff.create();
    private final Trainer trainer;
    private final INDArray trainEmb;   // [n_train, d]
    private final int batchSize;
    private final long seed;

    ProbeTask(PeftModel model, String adapter, TokenBatcher tok, TextDataset train, Trainer.Builder b, int batchSize,
              long seed) {
        this.model = model;
        this.adapter = adapter;
        this.train = train;
        this.tok = tok;
        this.batchSize = batchSize;
        this.seed = seed;
        this.trainEmb = embed(model, adapter, tok, train.texts());
        SDVariable pooled = head.placeHolder(POOLED, DataType.FLOAT, -1, trainEmb.size(1));
        Map<String, INDArray> init = model.adapter(adapter).headParams();
        ClassifierHead.build(head, pooled, init.get(ClassifierHead.WEIGHT).dup(), init.get(ClassifierHead.BIAS).dup(), true);
        this.trainer = b.objective(dev.hora.train.SameDiffObjective.of(head, ClassifierHead.LOSS, model.adapter(adapter).trainableNames())).build();
    }

    /** Pooled embeddings of every text, in batches of 64. */
    private static INDArray embed(PeftModel model, String adapter, TokenBatcher tok, List<String> texts) {
        INDArray out = Nd4j.create(DataType.FLOAT, texts.size(), model.backbone().hiddenSize());
        for (int from = 0; from < texts.size(); from += 64) {
            int to = Math.min(texts.size(), from + 64);
            Batch b = tok.encode(texts.subList(from, to));
            INDArray p = model.pooled(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray(),
                    java.util.Collections.nCopies(to - from, adapter));
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(p);
        }
        return out;
    }

    @Override
    public Trainer trainer() {
        return trainer;
    }

    @Override
    public List<int[]> batches(int epoch) {
        return BatchOrder.epoch(train.size(), batchSize, seed, epoch);
    }

    @Override
    public float step(int[] idx) {
        Map<String, INDArray> feed = new java.util.HashMap<>();
        feed.put(POOLED, trainEmb.getRows(idx));
        feed.put(ClassifierHead.LABELS, TrainingTask.oneHot(train, idx));
        return trainer.step(feed);
    }

    @Override
    public ClassificationReport evaluate(TextDataset test) {
        INDArray emb = evalEmb.computeIfAbsent(test, d -> embed(model, adapter, tok, d.texts()));   // the encoder is frozen
        INDArray p = head.output(Map.of(POOLED, emb), ClassifierHead.PROBABILITIES).get(ClassifierHead.PROBABILITIES);
        int[] pred = new int[test.size()];
        for (int i = 0; i < pred.length; i++) {
            pred[i] = p.getRow(i).argMax().getInt(0);
        }
        return ClassificationReport.of(test.labels(), pred, test.labelNames());
    }

    @Override
    public void finish() {
        model.adapter(adapter).headParams().forEach((n, v) -> v.assign(head.getArrForVarName(n)));
    }
}
