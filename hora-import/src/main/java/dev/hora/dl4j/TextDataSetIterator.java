package dev.hora.dl4j;

import dev.hora.data.TextDataset;
import dev.hora.text.Batch;
import dev.hora.text.BatchOrder;
import dev.hora.text.TokenBatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.adapter.MultiDataSetIteratorAdapter;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Labelled texts as DL4J mini-batches for a network that starts with a {@link PretrainedEncoder}:
 * <pre>
 *   features      token ids [B, S]  (FLOAT, padded with the tokenizer's pad id to the batch's longest, S &lt;= maxLength)
 *   features mask attention mask [B, S]  (1 = token, 0 = padding)
 *   labels        one-hot [B, numClasses]
 * </pre>
 * Training order ({@code shuffle}): length-bucketed and seeded, the order {@code hora finetune} uses
 * ({@link BatchOrder#bucketed}, windows of 20 batches), epoch e = the e-th pass; otherwise the
 * dataset's order. {@link #reset()} starts the next epoch only when the current one has begun, so the
 * reset DL4J's trainers make before the first epoch keeps epoch 0.
 */
public final class TextDataSetIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient TokenBatcher tokenizer;
    private final TextDataset data;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final int[] lengths;
    private int epoch;
    private List<int[]> batches;
    private int cursor;
    private DataSetPreProcessor preProcessor;

    /**
     * @param shuffle true for training (bucketed, seeded order), false for evaluation (dataset order)
     */
    public TextDataSetIterator(TokenBatcher tokenizer, TextDataset data, int batchSize, long seed, boolean shuffle) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("dataset '" + data.name() + "' has no examples");
        }
        this.tokenizer = tokenizer;
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.lengths = shuffle ? data.texts().stream().mapToInt(t -> tokenizer.ids(t).length).toArray() : null;
        this.batches = order(0);
    }

    private List<int[]> order(int e) {
        if (shuffle) {
            return BatchOrder.bucketed(lengths, batchSize, seed, e, 20);
        }
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < data.size(); s += batchSize) {
            int[] idx = new int[Math.min(batchSize, data.size() - s)];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = s + i;
            }
            out.add(idx);
        }
        return out;
    }

    /** The epoch the next batch belongs to (0 first). */
    public int epoch() {
        return epoch;
    }

    /** This iterator as a {@link MultiDataSetIterator} (one input, one output). */
    public MultiDataSetIterator toMultiDataSetIterator() {
        return new MultiDataSetIteratorAdapter(this);
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("next(num): batches are fixed by the length-bucketed order; use next()");
    }

    @Override
    public DataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has " + batches.size() + " batches; call reset()");
        }
        int[] idx = batches.get(cursor++);
        List<String> texts = new ArrayList<>(idx.length);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, idx.length, data.numClasses());
        for (int i = 0; i < idx.length; i++) {
            texts.add(data.examples().get(idx[i]).text());
            labels.putScalar(i, data.examples().get(idx[i]).label(), 1f);
        }
        Batch b = tokenizer.encode(texts);
        DataSet ds = new DataSet(b.inputIdsArray().castTo(DataType.FLOAT), labels,
                b.attentionMaskArray().castTo(DataType.FLOAT), null);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public boolean hasNext() {
        return cursor < batches.size();
    }

    @Override
    public int inputColumns() {
        return tokenizer.maxLength();
    }

    @Override
    public int totalOutcomes() {
        return data.numClasses();
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** No prefetch thread: batches are made in the training thread, in a reproducible order. */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public void reset() {
        if (cursor > 0) {
            epoch++;
            batches = order(epoch);
        }
        cursor = 0;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return data.labelNames();
    }
}
