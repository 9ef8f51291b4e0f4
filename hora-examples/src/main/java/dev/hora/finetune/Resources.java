package dev.hora.finetune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process figures for the end-of-run report. */
public final class Resources {
    private Resources() {
    }

    /** Peak resident set size of this process in bytes (VmHWM: heap + native ND4J buffers), or -1. */
    public static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * One full collection right after a model import, so the JVM returns the import's garbage (the ONNX
     * bytes, held and parsed: ~3x the file in heap) to the OS before training allocates its activations;
     * bin/hora runs G1 with {@code -XX:MaxHeapFreeRatio=30}, so the heap shrinks at this collection (the
     * batch 32 x 64 bench peaked at 1.08-1.26 GB depending on when G1's own periodic collection came).
     * Never called on the training or inference path.
     */
    public static void returnImportHeap() {
        System.gc();
    }
}
