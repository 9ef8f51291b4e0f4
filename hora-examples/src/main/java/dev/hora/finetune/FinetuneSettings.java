package dev.hora.finetune;

import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The resolved configuration of a fine-tuning run, written to {@code OUTPUT/settings.json}.
 * Paths are strings (absolute); {@code layers == null} means all layers; {@code adapter == null} is a
 * linear probe ({@code --adapter none}): rank, alpha and targets are 0/0/[] (only the head trains); {@code pooling} is "mean" or
 * "cls" (null in runs written before the option existed: mean); {@code checkpointEvery}: optimizer steps between
 * mid-epoch checkpoints (0 = only at epoch ends). {@code valFraction}: the stratified
 * share of the training data held out for validation (0 = none); {@code steps > 0}: train exactly that
 * many optimizer steps (repeating epochs), else {@code epochs} epochs; {@code evalEvery > 0}: validate
 * every that many steps (and after every epoch); {@code adapterOptions}: KEY=VALUE settings of
 * {@link dev.hora.config.AdapterOptions} (null or empty = defaults); {@code splitSeed}: the seed of the test
 * split when it is not {@code seed} (a {@code hora compare} cell: the sweep's {@code --split-seed}, while
 * {@code seed} draws the cell's subsample), null otherwise and in runs written before it existed.
 */
public record FinetuneSettings(
        String model, String tokenizer, String data, String train, String test,
        double testFraction, double trainFraction,
        dev.hora.config.AdapterKind adapter, int rank, double alpha, List<String> targets, List<Integer> layers,
        double lr, int epochs, int batchSize, int maxLength, String pooling, long seed,
        String output, boolean resume, int threads, int checkpointEvery,
        double valFraction, int steps, int evalEvery, java.util.Map<String, String> adapterOptions, Long splitSeed) {

    /** File name inside the output directory. */
    public static final String FILE = "settings.json";

    /** The seed that drew the test split: {@code splitSeed}, else {@code seed}. */
    public long testSplitSeed() {
        return splitSeed != null ? splitSeed : seed;
    }

    /** One line of the settings that shape a run, e.g. for the chart's title. */
    public String describe() {
        String what = adapter == null ? "linear probe (--adapter none)"
                : String.format(java.util.Locale.ROOT, "%s r %d alpha %s on %s, layers %s", adapter.cliName(), rank,
                new java.math.BigDecimal(alpha).stripTrailingZeros().toPlainString(), String.join(",", targets),
                layers == null ? "all" : layers.toString().replace(" ", ""));
        String on = data != null ? data : train == null ? "uci-sentiment" : Path.of(train).getFileName().toString();
        String budget = steps > 0 ? steps + " steps" : epochs + (epochs == 1 ? " epoch" : " epochs");
        return String.format(java.util.Locale.ROOT, "%s | %s, %s | lr %s, batch %d, %s, max length %d, %s "
                + "pooling, seed %d", what, on, Path.of(model).getFileName(), lr, batchSize, budget, maxLength,
                pooling == null ? "mean" : pooling, seed);
    }

    /** Writes the settings as JSON (atomically). */
    public void write(Path file) throws IOException {
        MetricsJson.write(file, this);
    }

    /**
     * Reads settings written by {@link #write}: strictly typed, every enum value and number checked,
     * errors naming the file and the field.
     */
    public static FinetuneSettings read(Path file) throws IOException {
        return SettingsFile.read(file);
    }
}
