package dev.hora.fit;

import dev.hora.io.Checkpoint;
import dev.hora.io.CheckpointStore;
import dev.hora.io.SafetensorsHeader;
import dev.hora.io.TensorSpec;
import dev.hora.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FitCheckpoints} in one atomic file of a folder ({@link CheckpointStore}): tensors
 * {@code param/*}, {@code updater/*}, {@code counter/*} ({@link Trainer#state()}) and {@code best/*};
 * metadata {@code hora.epoch}, {@code hora.batch} and {@code hora.best}.
 */
public class FileCheckpoints implements FitCheckpoints {
    public static final String EPOCH = "hora.epoch";
    public static final String BATCH = "hora.batch";
    private final CheckpointStore store;

    public FileCheckpoints(Path dir) {
        this.store = new CheckpointStore(dir);
    }

    /** The checkpoint file. */
    public Path file() {
        return store.file();
    }

    @Override
    public void save(Trainer trainer, Position next, BestOnValidation best) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(EPOCH, Integer.toString(next.epoch()));
        meta.put(BATCH, Integer.toString(next.batch()));
        addMetadata(meta);
        Map<String, INDArray> tensors = new LinkedHashMap<>(trainer.state());
        best.addTo(tensors, meta);
        store.save(new Checkpoint(trainer.iteration(), tensors, meta));
    }

    /** What a subclass adds to the metadata of each save. */
    protected void addMetadata(Map<String, String> meta) throws IOException {
    }

    /** Checks the checkpoint's metadata, read from its header before any tensor (a subclass compares its own). */
    protected void checkHeader(Map<String, String> metadata) throws IOException {
    }

    /** Checks a loaded checkpoint before anything is restored (a subclass compares its own metadata). */
    protected void check(Checkpoint c) throws IOException {
    }

    /** The store (a subclass may read the file in its own way). */
    protected CheckpointStore store() {
        return store;
    }

    /**
     * Restores from the checkpoint: its metadata is checked from the header first, then its tensors'
     * names, dtypes and shapes against this trainer's state, before any tensor is read.
     */
    @Override
    public Optional<Resumed> resume(Trainer trainer) throws IOException {
        Path f = store.file();
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        checkHeader(SafetensorsHeader.read(f).metadata());
        Map<String, long[]> bestShapes = new LinkedHashMap<>();
        trainer.params().forEach((n, a) -> bestShapes.put(BestOnValidation.TENSOR_PREFIX + n, a.shape()));
        Optional<Checkpoint> loaded = store.load(TensorSpec.like(trainer.state()).withOptional(bestShapes));
        if (loaded.isEmpty()) {
            return Optional.empty();
        }
        Checkpoint c = loaded.get();
        check(c);
        try {
            trainer.restore(c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": does not fit this run's model: " + e.getMessage(), e);
        }
        if (trainer.iteration() != c.step()) {
            throw new IOException(f + ": metadata hora.step " + c.step() + " disagrees with the trainer's iteration "
                    + trainer.iteration());
        }
        Position at = new Position(integer(f, c.metadata(), EPOCH), integer(f, c.metadata(), BATCH));
        BestOnValidation best;
        try {
            best = BestOnValidation.from(c);
        } catch (IOException | RuntimeException e) {
            throw new IOException(f + ": metadata " + BestOnValidation.META + " is not valid: " + e.getMessage(), e);
        }
        restored(c);
        return Optional.of(new Resumed(at, best));
    }

    /** Called after a successful restore with the checkpoint (a subclass reads its own metadata). */
    protected void restored(Checkpoint c) throws IOException {
    }

    /** A non-negative int of the metadata, or an error naming the file and key. */
    protected static int integer(Path f, Map<String, String> m, String key) throws IOException {
        long n = count(f, m, key);
        if (n > Integer.MAX_VALUE) {
            throw new IOException(f + ": metadata '" + key + "' is " + n + ", too large");
        }
        return (int) n;
    }

    /** A non-negative long of the metadata, or an error naming the file and key. */
    protected static long count(Path f, Map<String, String> m, String key) throws IOException {
        String v = m.get(key);
        if (v == null) {
            throw new IOException(f + ": metadata '" + key + "' is missing");
        }
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
}
