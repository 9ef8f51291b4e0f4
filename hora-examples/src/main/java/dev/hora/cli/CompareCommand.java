package dev.hora.cli;

import dev.hora.compare.Summary;
import dev.hora.compare.Sweep;
import dev.hora.compare.SweepSpec;
import dev.hora.compare.Variant;
import dev.hora.data.Split;
import dev.hora.finetune.ModelSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hora compare}: the low-data experiment. Every cell (variant x training fraction x seed) is
 * one {@code hora finetune} run with the same step budget; choices (learning rate, best step) are
 * made on validation only; the output folder holds {@code runs.jsonl} (resumable),
 * {@code summary.md} and {@code summary.png}. See {@link Sweep}.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compare adapters over training fractions and seeds: accuracy with 95 %% intervals.")
public class CompareCommand implements Callable<Integer> {
    @ParentCommand
    Hora hora;
    @Mixin
    ModelOptions modelOptions = new ModelOptions();
    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--adapters", defaultValue = "none,lora,mh-lora,hora", paramLabel = "LIST",
            description = "Variants: none, lora, mh-lora, hora, each optionally KIND:KEY=VALUE[:KEY=VALUE], e.g. "
                    + "hora:hidden-width=32:shared-pair=true. Keys: rank, alpha, seed-width (e), hidden-width (k), "
                    + "activation, learnable-seeds, generator-lr, init, init-scale-a, shared-pair, per-head-output, dropout "
                    + "(default: ${DEFAULT-VALUE}).")
    String adapters;
    @Option(names = "--fractions", defaultValue = "0.05,0.1,0.25,1", paramLabel = "LIST",
            description = "Shares of the training split, each in (0, 1] (default: ${DEFAULT-VALUE}).")
    String fractions;
    @Option(names = "--seeds", defaultValue = "5", paramLabel = "N", description = "Seeds 1..N per cell, >= 2 (default: ${DEFAULT-VALUE}).")
    int seeds;
    @Option(names = "--seeds-at", paramLabel = "F=N[,F=N]",
            description = "Other seed counts at some fractions, e.g. 1=2 (fewer of the costliest, full-data cells).")
    String seedsAt;
    @Option(names = "--steps", defaultValue = "0", paramLabel = "N",
            description = "Optimizer steps of every cell (0 = one epoch of the full training split) (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--eval-every", defaultValue = "0", paramLabel = "N",
            description = "Validate every N steps and after each epoch (0 = steps / 10) (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--lr-grid", defaultValue = "3e-4,1e-3,3e-3,1e-2", paramLabel = "LIST",
            description = "Learning rates tried per variant; one value = fixed (default: ${DEFAULT-VALUE}).")
    String lrGrid;
    @Option(names = "--lr-fraction", paramLabel = "F", description = "Fraction where the lr is chosen (default: the smallest).")
    Double lrFraction;
    @Option(names = "--lr-seed", defaultValue = "1", paramLabel = "N", description = "Seed where the lr is chosen (default: ${DEFAULT-VALUE}).")
    long lrSeed;
    @Option(names = "--match-params", description = "LoRA and MH-LoRA ranks with trainable counts nearest the first HoRA variant's.")
    boolean matchParams;
    @Option(names = "--val-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "Stratified validation share of each cell's training data (default: ${DEFAULT-VALUE}).")
    double valFraction;
    @Option(names = "--rank", defaultValue = "8", paramLabel = "R", description = "Rank of variants without rank= (default: ${DEFAULT-VALUE}).")
    int rank;
    @Option(names = "--targets", defaultValue = "query,value", split = ",", paramLabel = "LIST",
            converter = FinetuneCommand.TargetConverter.class, description = "Projections to adapt: query, key, value, "
            + "output, intermediate, ffn-output; or q,k,v,o,i,f (default: ${DEFAULT-VALUE}).")
    List<dev.hora.config.Target> targets;
    @Option(names = "--layers", defaultValue = "all", paramLabel = "SPEC", description = "Layers to adapt (default: ${DEFAULT-VALUE}).")
    String layers;
    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--split-seed", defaultValue = "42", paramLabel = "N", description = "Seed of the fixed test split (default: ${DEFAULT-VALUE}).")
    long splitSeed;
    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores).")
    Integer threads;
    @Option(names = "--summary-only", description = "Rewrite summary.md and summary.png from the finished cells in "
            + "--output; run nothing (e.g. after gathering the runs.jsonl lines of a sweep split over machines).")
    boolean summaryOnly;
    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Sweep folder (runs.jsonl, summary.md, summary.png).")
    Path output;

    @Override
    public Integer call() throws IOException {
        modelOptions.validate();
        dataOptions.validate();
        if (dataOptions.trainFraction != 1.0) {
            throw new IllegalArgumentException("--train-fraction does not apply to compare; use --fractions");
        }
        if (steps < 0 || evalEvery < 0) {
            throw new IllegalArgumentException("--steps and --eval-every must be >= 0, got " + steps + ", " + evalEvery);
        }
        List<Variant> variants = Variant.parseList(adapters);
        List<Double> fr = numbers("--fractions", fractions);
        int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (th < 1 || th > FinetuneCommand.MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be in [1, " + FinetuneCommand.MAX_THREADS + "], got " + th);
        }
        spec(variants, fr, Math.max(1, steps), Math.max(1, evalEvery));   // checks the options before loading data
        Split split = dataOptions.load(splitSeed);
        Summaries.printSplit(hora.out(), split);
        int budget = steps > 0 ? steps : (int) Math.ceil(split.train().size() * (1 - valFraction) / batchSize);
        SweepSpec spec = spec(variants, fr, budget, evalEvery > 0 ? evalEvery : Math.max(1, budget / 10));
        ModelSource model = modelOptions.resolve();
        hora.out().println("model: " + model.description());
        hora.out().println(Backend.configure(th));
        Sweep sweep = new Sweep(spec, output.toAbsolutePath().normalize(), hora.err());
        sweep.prepare(split, model, th);
        Summary s = summaryOnly ? sweep.summarize() : sweep.run();
        hora.out().println("test accuracy:");
        hora.out().print(s.table("variant", dev.hora.compare.CellResult::testAccuracy));
        hora.out().println("paired difference in test accuracy:");
        hora.out().print(s.pairedTable());
        hora.out().println("summary: " + output.resolve(Sweep.SUMMARY_MD) + ", " + output.resolve(Sweep.SUMMARY_PNG));
        return 0;
    }

    private SweepSpec spec(List<Variant> variants, List<Double> fr, int budget, int every) {
        double lrF = lrFraction != null ? lrFraction : fr.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        return new SweepSpec(variants.stream().map(Variant::label).toList(), fr, seeds, seedsAt(), budget, every,
                numbers("--lr-grid", lrGrid), lrF, lrSeed, matchParams, valFraction, rank, FinetuneCommand.targetNames(targets),
                LayerSelection.parse(layers), batchSize, modelOptions.maxLength, splitSeed, modelOptions.recordedModel(),
                abs(modelOptions.tokenizer), dataOptions.data, abs(dataOptions.train), abs(dataOptions.test),
                dataOptions.testFraction);
    }

    /** --seeds-at F=N[,F=N] as a map. */
    private Map<Double, Integer> seedsAt() {
        Map<Double, Integer> m = new LinkedHashMap<>();
        if (seedsAt == null) {
            return m;
        }
        for (String item : seedsAt.split(",")) {
            String[] kv = item.split("=");
            try {
                if (kv.length != 2 || m.put(Double.parseDouble(kv[0].trim()), Integer.parseInt(kv[1].trim())) != null) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seeds-at: '" + item + "' is not FRACTION=SEEDS (e.g. 1=2), "
                        + "or names a fraction twice");
            }
        }
        return m;
    }

    private static List<Double> numbers(String option, String list) {
        List<Double> out = new ArrayList<>();
        for (String item : list.split(",")) {
            if (item.isBlank()) {
                continue;
            }
            try {
                out.add(Double.parseDouble(item.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + item.trim() + "' is not a number");
            }
        }
        return out;
    }

    private static String abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize().toString();
    }
}
