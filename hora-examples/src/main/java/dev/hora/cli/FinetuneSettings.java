package dev.hora.cli;

import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The resolved configuration of a fine-tuning run, written to {@code OUTPUT/settings.json}.
 * Paths are strings (absolute); {@code layers == null} means all layers; for adapter {@code none}
 * rank, alpha and targets are 0/0/[] (only the classifier head trains). {@code checkpointEvery}:
 * optimizer steps between mid-epoch checkpoints (0 = only at epoch ends).
 */
public record FinetuneSettings(
        String model, String tokenizer, String data, String train, String test,
        double testFraction, double trainFraction,
        AdapterKind adapter, int rank, double alpha, List<String> targets, List<Integer> layers,
        double lr, int epochs, int batchSize, int maxLength, long seed,
        String output, boolean resume, int threads, int checkpointEvery) {

    /** File name inside the output directory. */
    public static final String FILE = "settings.json";

    /** The LoRA scale s = alpha / rank (0 for adapter none). */
    public double scale() {
        return rank == 0 ? 0 : alpha / rank;
    }

    /** Writes the settings as JSON (atomically). */
    public void write(Path file) throws IOException {
        MetricsJson.write(file, this);
    }

    /** Reads settings written by {@link #write}. */
    public static FinetuneSettings read(Path file) throws IOException {
        return MetricsJson.MAPPER.readValue(file.toFile(), FinetuneSettings.class);
    }
}
