package dev.hora.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code hora bench}: training and inference throughput of the adapters (wired in phase 2). */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure examples/second of forward and training steps per adapter.")
public class BenchCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();
    @Option(names = "--adapter", defaultValue = "hora", paramLabel = "KIND", description = "hora, mh-lora, lora or none.")
    String adapter;
    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "Rank per head.")
    int rank;
    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "N", description = "Batch size.")
    int batchSize;
    @Option(names = "--iterations", defaultValue = "20", paramLabel = "N", description = "Timed iterations.")
    int iterations;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        modelOptions.validate();
        AdapterKind kind = AdapterKind.parse(adapter);
        if (batchSize < 1 || iterations < 1 || rank < 1 || (threads != null && threads < 1)) {
            throw new IllegalArgumentException("--batch-size, --iterations, --rank and --threads must be >= 1");
        }
        ModelSource model = modelOptions.resolve();
        throw new NotWiredException("bench", "Would time " + kind + " r=" + rank + " on " + model.description() + ".");
    }
}
