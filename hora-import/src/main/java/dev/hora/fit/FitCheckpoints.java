package dev.hora.fit;

import dev.hora.train.Trainer;
import java.io.IOException;
import java.util.Optional;

/**
 * Where {@link Fit#fit} keeps its checkpoint for an exact resume: the trainer's state (parameters,
 * optimizer state, counters), the position in the data and the selection on validation so far.
 * {@link FileCheckpoints} is the plain one; the command line's run directory adds its own metadata.
 */
public interface FitCheckpoints {

    /** The next batch to run: batch {@code batch} of epoch {@code epoch} (0-based; 0 after an epoch end). */
    record Position(int epoch, int batch) {
    }

    /** What a resume restored besides the trainer. */
    record Resumed(Position position, BestOnValidation best) {
    }

    /** Writes the checkpoint atomically (replacing the previous one). */
    void save(Trainer trainer, Position next, BestOnValidation best) throws IOException;

    /**
     * Restores the trainer from the checkpoint, if there is one.
     *
     * @throws IOException naming the file and what is wrong (a checkpoint of another model, corrupt data)
     */
    Optional<Resumed> resume(Trainer trainer) throws IOException;
}
