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
}
