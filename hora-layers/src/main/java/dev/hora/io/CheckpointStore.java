package dev.hora.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves and loads the checkpoint of a run directory as {@code DIR/checkpoint.safetensors}.
 *
 * <p>Each save is atomic ({@link AtomicFiles}: temp file, fsync, rename): if the process dies
 * while saving, the previous checkpoint stays complete and readable, so {@code --resume} always
 * finds either the old or the new state. The metadata holds {@code hora.step} and the
 * {@link TensorDigest} {@code hora.sha256}, which {@link #load} verifies.
 */
public final class CheckpointStore {
    /** File name of the checkpoint inside the run directory. */
    public static final String FILE = "checkpoint.safetensors";
    static final String STEP_KEY = "hora.step";
    /** {@link TensorDigest} of the tensors, verified on load. */
    static final String DIGEST_KEY = "hora.sha256";
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

    private final Path dir;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    /** The checkpoint file. */
    public Path file() {
        return dir.resolve(FILE);
    }

    /** Atomically replaces the checkpoint. */
    public void save(Checkpoint c) throws IOException {
        Map<String, String> meta = new HashMap<>(c.metadata());
        meta.put(STEP_KEY, Long.toString(c.step()));
        meta.put(DIGEST_KEY, TensorDigest.of(c.tensors(), meta));   // covers the step and the other metadata
        SafetensorsWriter.write(file(), c.tensors(), meta);
        LOG.debug("saved checkpoint at step {} to {}", c.step(), file());
    }

    /** The saved checkpoint, or empty if none was saved yet. */
    public Optional<Checkpoint> load() throws IOException {
        return load(HeaderCheck.ANY);
    }

    /**
     * The saved checkpoint, or empty if none was saved yet. Before any tensor is read, {@code expected}
     * checks the header (names, dtypes, shapes) and the digest is verified from the file's bytes, so
     * a foreign, corrupted or oversized checkpoint costs no allocation.
     */
    public Optional<Checkpoint> load(HeaderCheck expected) throws IOException {
        if (!Files.exists(file())) {
            return Optional.empty();
        }
        SafetensorsReader.Content content;
        Map<String, String> meta;
        try (FileChannel ch = FileChannel.open(file(), StandardOpenOption.READ)) {
            SafetensorsHeader h = SafetensorsHeader.read(file(), ch);
            expected.check(file(), h);
            meta = new HashMap<>(h.metadata());
            String digest = meta.remove(DIGEST_KEY);
            if (digest == null || !meta.containsKey(STEP_KEY)) {
                throw new SafetensorsFormatException(file(), "no '" + (digest != null ? STEP_KEY : DIGEST_KEY)
                        + "' in the metadata: not a hora checkpoint (or one of an older version)");
            }
            if (!digest.equals(TensorDigest.ofFile(ch, h, meta))) {
                throw new SafetensorsFormatException(file(), "the tensors and metadata do not match their SHA-256 '"
                        + DIGEST_KEY + "' (the file was corrupted or changed after it was written)");
            }
            content = SafetensorsReader.read(file(), ch, h);
        }
        SafetensorsReader.requireFinite(file(), content);
        String step = meta.remove(STEP_KEY);
        long s;
        try {
            s = Long.parseLong(step);
        } catch (NumberFormatException e) {
            throw new SafetensorsFormatException(file(), "metadata '" + STEP_KEY + "' is '" + step
                    + "', expected a non-negative integer");
        }
        if (s < 0) {
            throw new SafetensorsFormatException(file(), "metadata '" + STEP_KEY + "' is " + s
                    + ", expected a non-negative integer");
        }
        return Optional.of(new Checkpoint(s, content.tensors(), meta));
    }
}
