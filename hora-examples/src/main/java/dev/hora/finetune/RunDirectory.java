package dev.hora.finetune;

import dev.hora.io.CheckpointStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which directory {@code hora finetune --output DIR} may write into, claimed under its
 * {@link RunLock}: a fresh run only into a directory it creates (or an empty one, which holds
 * nothing to lose), {@code --resume} only into a directory holding a run's checkpoint. A
 * directory of the user's ({@code --output ""} is the current one) is refused before anything is
 * written into it, lock file included, so none of its files is replaced or deleted.
 */
public final class RunDirectory {
    private RunDirectory() {
    }

    /**
     * Creates or checks the run directory of {@code s} and locks it; the caller closes the lock
     * when the run ends.
     *
     * @throws IllegalArgumentException naming the directory when it is not one the run may write into
     * @throws IOException              when another process holds its lock (naming the holder)
     */
    public static RunLock claim(FinetuneSettings s) throws IOException {
        Path dir = Path.of(s.output());
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--output " + dir + " is an existing file, not a run directory; "
                    + "choose another --output");
        }
        if (!Files.exists(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir);
            } catch (FileAlreadyExistsException e) {
                // created by another process this instant: checked below like any existing directory
            }
        }
        check(s, dir);   // before the lock file is created in a directory that may be the user's
        RunLock lock = RunLock.acquire(dir);
        try {
            check(s, dir);   // again under the lock: another run may have filled it meanwhile
            return lock;
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static void check(FinetuneSettings s, Path dir) throws IOException {
        boolean hasCheckpoint = Files.exists(dir.resolve(CheckpointStore.FILE));
        if (s.resume()) {
            if (!hasCheckpoint) {
                throw new IllegalArgumentException("--resume: no " + CheckpointStore.FILE + " in " + dir);
            }
            return;   // the checkpoint's fingerprint decides whether it is the same run
        }
        if (hasCheckpoint) {
            throw new IllegalArgumentException(dir + " already holds a checkpoint; pass --resume to continue it "
                    + "or choose another --output");
        }
        if (!RunLock.emptyButLock(dir)) {
            List<String> some;
            try (Stream<Path> list = Files.list(dir)) {
                some = list.map(p -> p.getFileName().toString()).filter(n -> !n.equals(RunLock.FILE)).sorted()
                        .limit(5).toList();
            }
            throw new IllegalArgumentException("--output " + dir + " is an existing directory that is not empty ("
                    + String.join(", ", some) + (some.size() == 5 ? ", ..." : "") + "); a run writes "
                    + "settings.json, labels.json, model.safetensors, adapter/, ... and would replace files of those "
                    + "names: choose a new or empty directory");
        }
    }
}
