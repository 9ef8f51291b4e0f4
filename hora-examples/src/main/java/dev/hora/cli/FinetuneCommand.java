package dev.hora.cli;

import dev.hora.util.Checks;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.ModelSource;
import dev.hora.finetune.RunDirectory;
import dev.hora.finetune.RunLock;
import dev.hora.config.AdapterKind;
import dev.hora.data.Split;
import dev.hora.onnx.bert.Pooling;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import dev.hora.finetune.Finetuner;
import java.util.concurrent.Callable;
import dev.hora.config.Target;
import picocli.CommandLine;
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

    @Option(names = "--adapter", defaultValue = "hora", paramLabel = "KIND", converter = AdapterOption.class,
            completionCandidates = AdapterOption.Names.class,
            description = "${COMPLETION-CANDIDATES} (none: head only) (default: ${DEFAULT-VALUE}).")
    AdapterKind adapter;
    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "Rank per head (default: ${DEFAULT-VALUE}).")
    int rank;
    @Option(names = "--alpha", paramLabel = "A", description = "Scale numerator, s = alpha / rank (default: 2 x rank).")
    Double alpha;
    @Option(names = "--targets", defaultValue = "query,value", split = ",", paramLabel = "LIST",
            converter = TargetConverter.class, description = "Projections to adapt: query, key, value, output "
            + "(attention), intermediate, ffn-output (feed-forward); or q,k,v,o,i,f (default: ${DEFAULT-VALUE}).")
    List<Target> targets;
    @Option(names = "--layers", defaultValue = "all", paramLabel = "SPEC",
            description = "Layers to adapt: all, 0-5, 3,4,5 (default: ${DEFAULT-VALUE}).")
    String layers;
    @Option(names = "--pooling", paramLabel = "MODE",
            description = "mean or cls: how token states become the classifier's input (default: the model's own, "
                    + "cls for a BGE-family model, else mean).")
    Pooling pooling;
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
    /** Upper bound of {@code --threads}. */
    static final int MAX_THREADS = 1024;
    @Option(names = "--val-fraction", defaultValue = "0.1", paramLabel = "F",
            description = "Stratified share of the training data held out for validation; the best step is "
                    + "chosen on it and test is scored once (0 = none, last step) (default: ${DEFAULT-VALUE}).")
    double valFraction;
    @Option(names = "--steps", defaultValue = "0", paramLabel = "N",
            description = "Train exactly N optimizer steps, repeating epochs (0 = use --epochs) (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--eval-every", defaultValue = "0", paramLabel = "N",
            description = "Also validate every N steps (0 = after each epoch only) (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--adapter-option", paramLabel = "KEY=VALUE",
            description = "Adapter setting, repeatable, e.g. hidden-width=32, shared-pair=true (see hora compare --help).")
    List<String> adapterOption = new java.util.ArrayList<>();

    @Override
    public Integer call() throws IOException {
        FinetuneSettings s = settings();
        try (RunLock lock = RunDirectory.claim(s)) {   // a directory the run created, or its own for --resume
            return run(s);
        }
    }

    private int run(FinetuneSettings s) throws IOException {
        Path dir = Path.of(s.output());
        if (!s.resume()) {   // a resumed run keeps the settings.json its checkpoint's fingerprint is checked against
            s.write(dir.resolve(FinetuneSettings.FILE));
        }
        Split split = dev.hora.data.StratifiedSplitter.withValidation(dataOptions.load(s.seed()), s.valFraction(),
                s.seed());
        Summaries.printSplit(hora.out(), split);
        ModelSource model = modelOptions.resolve();
        hora.out().println("model: " + model.description() + "  pooling: " + s.pooling());
        hora.out().println(Backend.configure(s.threads()));
        Finetuner.Result r = new Finetuner(s, hora.out(), hora.err()).run(split, model);
        if (r.validation() != null) {
            hora.out().printf(Locale.ROOT, "validation accuracy %.4f  macro-F1 %.4f  (%d examples; best step %d of %d)%n",
                    r.validation().accuracy(), r.validation().macroF1(), r.validation().examples(), r.bestStep(), r.steps());
        }
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
        AdapterKind kind = adapter;
        boolean none = kind == null;
        double a = alpha != null ? alpha : 2.0 * rank;
        if (!none) {
            Checks.between("--rank", rank, 1, 1024);
            Checks.positive("--alpha", a);
        }
        List<String> t = none ? List.of() : targetNames(targets);
        List<Integer> l = LayerSelection.parse(layers);
        Checks.positive("--lr", lr);
        Checks.atLeast("--epochs", epochs, 1);
        Checks.atLeast("--batch-size", batchSize, 1);
        Checks.check(valFraction >= 0 && valFraction < 1, "--val-fraction", valFraction, "[0, 1)");
        Checks.atLeast("--steps", steps, 0);
        Checks.atLeast("--eval-every", evalEvery, 0);
        java.util.Map<String, String> opts = dev.hora.config.AdapterOptions.parse(adapterOption);
        dev.hora.config.AdapterOptions.check(opts);
        Pooling pool = pooling != null ? pooling : ModelSource.defaultPooling(modelOptions.model);
        if (pool == Pooling.NONE) {
            throw new IllegalArgumentException("--pooling must be mean or cls, got none");
        }
        int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        Checks.between("--threads", th, 1, MAX_THREADS);   // each kernel thread spins: 10^5 of them would hang the machine
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
        }
        Path out = output != null ? output : Path.of("hora-runs",
                (none ? AdapterOption.NONE : kind.cliName()) + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        return new FinetuneSettings(modelOptions.recordedModel(), abs(modelOptions.tokenizer), dataOptions.data,
                abs(dataOptions.train), abs(dataOptions.test), dataOptions.testFraction, dataOptions.trainFraction,
                kind, none ? 0 : rank, none ? 0 : a, t, l, lr, epochs, batchSize, modelOptions.maxLength,
                pool.name().toLowerCase(Locale.ROOT), seed,
                out.toAbsolutePath().normalize().toString(), resume, th, checkpointEvery, valFraction, steps, evalEvery,
                opts, null);
    }

    /** Canonical names in Q, K, V, O, FFN_IN, FFN_OUT order; a target given twice is an error. */
    static List<String> targetNames(List<Target> given) {
        EnumSet<Target> set = EnumSet.noneOf(Target.class);
        for (Target t : given) {
            if (!set.add(t)) {
                throw new IllegalArgumentException("target '" + t.moduleName() + "' given twice in --targets");
            }
        }
        return set.stream().map(Target::moduleName).toList();
    }

    /** picocli converter of one --targets entry ({@link Target#parse}). */
    static final class TargetConverter implements CommandLine.ITypeConverter<Target> {
        @Override
        public Target convert(String value) {
            try {
                return Target.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    private static String abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize().toString();
    }
}
