package dev.hora.finetune;

import dev.hora.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/** What a run does to its directory before it writes anything: stale temporaries go, the old completion marker goes. */
final class RunFiles {
    private RunFiles() {
    }

    /**
     * Removes the {@code .NAME.*.tmp} files a process killed mid-write left behind (in the run
     * directory and its adapter folder) and the manifest, which is rewritten when the run completes.
     */
    static void startWriting(Path dir) throws IOException {
        AtomicFiles.removeStaleTemporaries(dir);
        AtomicFiles.removeStaleTemporaries(dir.resolve(RunFolder.ADAPTER_DIR));
        RunManifest.invalidate(dir);
    }
}
