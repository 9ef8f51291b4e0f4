package dev.hora.finetune;

import dev.hora.io.AtomicFiles;
import dev.hora.io.CheckpointStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run does to its directory around its writes: at the start, its own stale temporaries go
 * (and nothing else); when the outputs are written, the old completion marker goes first. A
 * finished run that is resumed stays loadable until its outputs are rewritten, so a resume that
 * fails (another run's checkpoint, a changed base model, a crash) leaves it intact.
 */
final class RunFiles {
    private RunFiles() {
    }

    /**
     * Removes the {@code .NAME.RANDOM.tmp} files a process killed mid-write of one of the run's own
     * files left behind, in the run directory and its adapter folder.
     */
    static void startWriting(Path dir) throws IOException {
        List<String> top = new ArrayList<>();
        List<String> adapter = new ArrayList<>();
        for (String f : RunManifest.FILES) {
            (f.startsWith(RunFolder.ADAPTER_DIR + "/") ? adapter : top).add(Path.of(f).getFileName().toString());
        }
        top.addAll(List.of(RunManifest.FILE, CheckpointStore.FILE, RunFolder.CHART));
        AtomicFiles.removeStaleTemporaries(dir, top);
        AtomicFiles.removeStaleTemporaries(dir.resolve(RunFolder.ADAPTER_DIR), adapter);
    }

    /**
     * Called once training is over, before the outputs are written: the manifest goes (a failure
     * from here on cannot leave an old one over new files), then settings.json (a resumed run: with
     * the paths it was resumed from, which the fingerprint checked by content) and labels.json.
     */
    static void startOutputs(Path dir, FinetuneSettings s, List<String> labels) throws IOException {
        RunManifest.invalidate(dir);
        if (s.resume()) {
            s.write(dir.resolve(FinetuneSettings.FILE));
        }
        RunFolder.writeLabels(dir, labels);
    }
}
