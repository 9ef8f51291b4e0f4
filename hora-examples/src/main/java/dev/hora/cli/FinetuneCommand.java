package dev.hora.cli;

import dev.hora.data.Split;
import dev.hora.io.CheckpointStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import dev.hora.finetune.Finetuner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora finetune}: resolves and validates the options into {@link FinetuneSettings}, writes
 * them to {@code OUTPUT/settings.json}, loads and splits the data, resolves the model and its
 * tokenizer, fine-tunes ({@link Finetuner}) and prints test accuracy, macro-F1, wall time,
 * training examples per second and peak memory.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune an encoder with a HoRA, MH-LoRA or LoRA adapter on a text classification task.")
public class FinetuneCommand implements Callable<Integer> {
    @ParentCommand
    Hora hora;
    @Mixin
    ModelOptions modelOptions = new ModelOptions();
    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--adapter", defaultValue = "hora", paramLabel = "KIND",
            description = "hora, mh-lora, lora or none (head only) (default: ${DEFAULT-VALUE}).")
    String adapter;
    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "Rank per head (default: ${DEFAULT-VALUE}).")
    int rank;
    @Option(names = "--alpha", paramLabel = "A", description = "Scale numerator, s = alpha / rank (default: 2 x rank).")
    Double alpha;
    @Option(names = "--targets", defaultValue = "query,value", paramLabel = "LIST",
            description = "Projections to adapt: query,key,value,output (default: ${DEFAULT-VALUE}).")
    String targets;
    @Option(names = "--layers", defaultValue = "all", paramLabel = "SPEC",
            description = "Layers to adapt: all, 0-5, 3,4,5 (default: ${DEFAULT-VALUE}).")
    String layers;
    @Option(names = "--lr", defaultValue = "1e-3", paramLabel = "LR", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--epochs", defaultValue = "1", paramLabel = "N", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "Seed of split, init and order (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--output", paramLabel = "DIR", description = "Run directory (default: hora-runs/ADAPTER-TIME).")
    Path output;
    @Option(names = "--resume", description = "Continue from OUTPUT/checkpoint.safetensors.")
    boolean resume;
    @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "N",
            description = "Also checkpoint every N optimizer steps, not only at epoch ends; 0 = epoch ends only "
                    + "(default: ${DEFAULT-VALUE}, a few minutes of work).")
    int checkpointEvery;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        FinetuneSettings s = settings();
        prepareOutput(s);
        Path dir = Path.of(s.output());
        if (!s.resume()) {   // a resumed run keeps the settings.json its checkpoint's fingerprint is checked against
            s.write(dir.resolve(FinetuneSettings.FILE));
        }
        Split split = dataOptions.load(s.seed());
        Summaries.printSplit(hora.out(), split);
        ModelSource model = modelOptions.resolve();
        hora.out().println("model: " + model.description());
        hora.out().println(Backend.configure(s.threads()));
        Finetuner.Result r = new Finetuner(s, hora.out(), hora.err()).run(split, model);
        hora.out().printf(Locale.ROOT, "test accuracy %.4f  macro-F1 %.4f  (%d examples)%n", r.test().accuracy(),
                r.test().macroF1(), r.test().examples());
        hora.out().printf(Locale.ROOT, "wall time %.1f s  |  %.1f training examples/s  |  peak memory %.2f GB%n",
                r.wallSeconds(), r.trainExamplesPerSecond(), r.peakRssBytes() / 1e9);
        hora.out().println("run directory: " + dir);
        return 0;
    }

    /** Validates the options and resolves defaults. */
    FinetuneSettings settings() {
        modelOptions.validate();
        dataOptions.validate();
        AdapterKind kind = AdapterKind.parse(adapter);
        boolean none = kind == AdapterKind.NONE;
        if (!none && (rank < 1 || rank > 1024)) {
            throw new IllegalArgumentException("--rank must be in [1, 1024], got " + rank);
        }
        double a = alpha != null ? alpha : 2.0 * rank;
        if (!none && !(a > 0 && Double.isFinite(a))) {
            throw new IllegalArgumentException("--alpha must be > 0, got " + a);
        }
        List<String> t = none ? List.of() : Targets.parse(targets);
        List<Integer> l = LayerSelection.parse(layers);
        positive("--lr", lr);
        atLeastOne("--epochs", epochs);
        atLeastOne("--batch-size", batchSize);
        int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        atLeastOne("--threads", th);
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
        }
        Path out = output != null ? output : Path.of("hora-runs",
                kind.cliName() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return new FinetuneSettings(modelOptions.model, abs(modelOptions.tokenizer), dataOptions.data,
                abs(dataOptions.train), abs(dataOptions.test), dataOptions.testFraction, dataOptions.trainFraction,
                kind, none ? 0 : rank, none ? 0 : a, t, l, lr, epochs, batchSize, modelOptions.maxLength, seed,
                out.toAbsolutePath().normalize().toString(), resume, th, checkpointEvery);
    }

    /** --resume needs a checkpoint; a fresh run refuses to overwrite one. */
    static void prepareOutput(FinetuneSettings s) throws IOException {
        Path dir = Path.of(s.output());
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--output " + dir + " is an existing file, not a run directory; "
                    + "choose another --output");
        }
        boolean hasCheckpoint = Files.exists(dir.resolve(CheckpointStore.FILE));
        if (s.resume() && !hasCheckpoint) {
            throw new IllegalArgumentException("--resume: no " + CheckpointStore.FILE + " in " + dir);
        }
        if (!s.resume() && hasCheckpoint) {
            throw new IllegalArgumentException(dir + " already holds a checkpoint; pass --resume to continue it "
                    + "or choose another --output");
        }
        Files.createDirectories(dir);
    }

    private static String abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize().toString();
    }

    private static void positive(String name, double v) {
        if (!(v > 0 && Double.isFinite(v))) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    private static void atLeastOne(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }
}
