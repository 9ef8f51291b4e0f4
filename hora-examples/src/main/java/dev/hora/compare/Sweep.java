package dev.hora.compare;

import dev.hora.config.AdapterKind;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.ModelSource;
import dev.hora.config.AdapterConfig;
import dev.hora.data.Split;
import dev.hora.finetune.RunFolder;
import dev.hora.finetune.RunSpec;
import dev.hora.metrics.MetricsJson;
import dev.hora.onnx.BertConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The sweep of {@code hora compare}: plan and check every cell, choose each variant's learning rate
 * on validation, run the missing cells (finished ones in {@code runs.jsonl} are skipped), and
 * rewrite {@code summary.md} and {@code summary.png} after every cell.
 * <pre>
 *   1. check: variants, fractions, seeds (SweepSpec); every (fraction, seed) split has validation data
 *   2. ranks: the variant's own, else --match-params (ParamMatch), else --rank
 *   3. lr:    per variant, every grid value at (lrFraction, lrSeed); the best validation accuracy
 *             wins (earlier grid value on ties); that run is also the sweep's cell there
 *   4. cells: fraction x seed x variant, in that order (pairs complete early); progress and ETA
 * </pre>
 * A resumed sweep may grow (more variants, fractions or seeds; sweep.json is rewritten), so a variant
 * found later can join the same table without re-running the finished cells.
 */
public final class Sweep {
    public static final String SPEC_FILE = "sweep.json";
    public static final String SUMMARY_MD = "summary.md";
    public static final String SUMMARY_PNG = "summary.png";

    private final SweepSpec spec;
    private final List<Variant> variants;
    private final Path out;
    private final PrintStream err;
    private final RunsFile runs;
    private final Map<String, CellResult> done = new LinkedHashMap<>();
    private final Map<String, Integer> ranks = new LinkedHashMap<>();
    private final Map<String, Double> lrs = new LinkedHashMap<>();
    private CellRunner runner;
    private int total;
    private int finishedHere;
    private double secondsHere;

    public Sweep(SweepSpec spec, Path out, PrintStream err) {
        this.spec = spec;
        this.variants = spec.variants().stream().map(Variant::parse).toList();
        this.out = out;
        this.err = err;
        this.runs = new RunsFile(out);
    }

    /** Checks the output folder and every cell's data before anything trains. */
    public void prepare(Split base, ModelSource source, int threads) throws IOException {
        runner = new CellRunner(spec, base, source, out.resolve("cells"), threads);
        for (double f : spec.fractions()) {
            for (long seed = 1; seed <= spec.seeds(f); seed++) {
                runner.split(f, seed);   // throws: data too small for the validation split
            }
        }
        BertConfig bert = RunFolder.importModel(source).config();
        chooseRanks(bert);
        Files.createDirectories(out);
        SweepSpecFile.check(out.resolve(SPEC_FILE), spec, err);
        for (CellResult r : runs.read()) {
            done.put(r.key(), r);
        }
        int grid = spec.lrGrid().size() > 1 ? spec.lrGrid().size() : 0;
        int cells = spec.fractions().stream().mapToInt(spec::seeds).sum();
        total = variants.size() * (grid + cells - (grid > 0 ? 1 : 0));
    }

    /** Runs every missing cell; returns the summary of all finished ones. */
    public Summary run() throws IOException {
        int cellsBefore = finishedCount();
        err.printf(Locale.ROOT, "compare: %d cells (%d variants x %d fractions x %d seeds%s%s), %d steps each; "
                        + "%d already in %s%n", total, variants.size(), spec.fractions().size(), spec.seeds(),
                spec.seedsAt().isEmpty() ? "" : ", at " + spec.seedsAt(),
                spec.lrGrid().size() > 1 ? " + lr grid " + spec.lrGrid() : "", spec.steps(), finishedCount(),
                runs.file());
        for (Variant v : variants) {
            lrs.put(v.label(), chooseLr(v));
        }
        for (double f : spec.fractions()) {
            for (long seed = 1; seed <= spec.seeds(f); seed++) {
                for (Variant v : variants) {
                    cell(CellResult.SWEEP, v, f, seed, lrs.get(v.label()));
                }
            }
        }
        err.printf(Locale.ROOT, "compare: done (%d cells run now, %d before)%n", finishedHere, cellsBefore);
        return writeSummary();
    }

    /**
     * Rewrites summary.md and summary.png from the finished cells and runs nothing: e.g. after the
     * {@code runs.jsonl} lines of a sweep split over several machines were gathered into one folder.
     */
    public Summary summarize() throws IOException {
        for (Variant v : variants) {
            List<CellResult> grid = new ArrayList<>();
            for (double lr : spec.lrGrid()) {
                CellResult r = done.get(CellResult.key(CellResult.LR, v.label(), spec.lrFraction(), spec.lrSeed(), lr));
                if (r != null) {
                    grid.add(r);
                }
            }
            if (spec.lrGrid().size() == 1 || grid.size() == spec.lrGrid().size()) {
                lrs.put(v.label(), spec.lrGrid().size() == 1 ? spec.lrGrid().get(0) : best(grid).lr());
            }
        }
        err.printf(Locale.ROOT, "compare: summary of the %d finished cells in %s (nothing run)%n", finishedCount(),
                runs.file());
        return writeSummary();
    }

    /** The highest validation accuracy; the earlier grid value on ties. */
    private static CellResult best(List<CellResult> grid) {
        CellResult best = null;
        for (CellResult r : grid) {
            if (best == null || r.validationAccuracy() > best.validationAccuracy()) {
                best = r;
            }
        }
        return best;
    }

    /** The learning rate of a variant: fixed with a one-value grid, else the best on validation. */
    private double chooseLr(Variant v) throws IOException {
        if (spec.lrGrid().size() == 1) {
            return spec.lrGrid().get(0);
        }
        List<CellResult> grid = new ArrayList<>();
        for (double lr : spec.lrGrid()) {
            grid.add(cell(CellResult.LR, v, spec.lrFraction(), spec.lrSeed(), lr));
        }
        CellResult best = best(grid);
        String key = CellResult.key(CellResult.SWEEP, v.label(), spec.lrFraction(), spec.lrSeed(), best.lr());
        if (!done.containsKey(key)) {   // the selection run is the sweep's cell at (lrFraction, lrSeed)
            record(best.inPhase(CellResult.SWEEP));
        }
        err.printf(Locale.ROOT, "compare: %s: learning rate %s (validation accuracy %.4f at fraction %s, seed %d)%n",
                v.label(), best.lr(), best.validationAccuracy(), spec.lrFraction(), spec.lrSeed());
        return best.lr();
    }

    private CellResult cell(String phase, Variant v, double f, long seed, double lr) throws IOException {
        String key = CellResult.key(phase, v.label(), f, seed, lr);
        CellResult r = done.get(key);
        if (r != null) {
            return r;
        }
        r = runner.run(phase, v, ranks.get(v.label()), f, seed, lr);
        record(r);
        finishedHere++;
        secondsHere += r.wallSeconds();
        int left = total - finishedCount();
        err.printf(Locale.ROOT, "compare [%d/%d] %s %s fraction %s seed %d lr %s: validation %.4f, test %.4f (%.0f s)"
                        + "; %d left, ETA %s%n", finishedCount(), total, phase, v.label(), f, seed, lr,
                r.validationAccuracy(), r.testAccuracy(), r.wallSeconds(), left,
                duration(left * secondsHere / finishedHere));
        writeSummary();
        return r;
    }

    private void record(CellResult r) throws IOException {
        runs.append(r);
        done.put(r.key(), r);
    }

    /**
     * Cells of the plan that are finished (the reused selection cells count once; lines of runs.jsonl
     * outside the plan, e.g. gathered from a larger sweep, do not count).
     */
    private int finishedCount() {
        return (int) done.values().stream().filter(this::counts).count();
    }

    private boolean counts(CellResult r) {
        boolean grid = spec.lrGrid().size() > 1;
        boolean selection = r.fraction() == spec.lrFraction() && r.seed() == spec.lrSeed();
        if (variants.stream().noneMatch(v -> v.label().equals(r.variant()))) {
            return false;
        }
        if (r.phase().equals(CellResult.LR)) {
            return grid && selection && spec.lrGrid().contains(r.lr());
        }
        return !(grid && selection) && spec.fractions().contains(r.fraction()) && r.seed() >= 1
                && r.seed() <= spec.seeds(r.fraction());
    }

    private void chooseRanks(BertConfig bert) {
        int layers = spec.layers() == null ? bert.numLayers() : spec.layers().size();
        Variant ref = variants.stream().filter(v -> v.kind() == AdapterKind.HORA).findFirst().orElse(null);
        if (spec.matchParams() && ref == null) {
            throw new IllegalArgumentException("--match-params needs a hora variant in --adapters");
        }
        long target = ref == null ? 0 : ParamMatch.count(config(ref, ref.rank() != null ? ref.rank() : spec.rank()),
                bert, layers);
        for (Variant v : variants) {
            int r = v.rank() != null ? v.rank() : spec.rank();
            boolean lora = v.kind() == AdapterKind.LORA || v.kind() == AdapterKind.MH_LORA;
            if (spec.matchParams() && lora && v.rank() == null) {
                r = ParamMatch.rank(v.kind(), config(v, r), bert, layers,
                        target);
                err.printf(Locale.ROOT, "compare: --match-params: %s rank %d (%,d adapter params; %s: %,d)%n", v.label(),
                        r, ParamMatch.count(config(v, r), bert, layers), ref.label(), target);
            }
            ranks.put(v.label(), r);
        }
    }

    private AdapterConfig config(Variant v, int rank) {
        return RunSpec.adapterConfig(new FinetuneSettings(null, null, null, null, null, 0, 1, v.kind(), rank, 2.0 * rank,
                spec.targets(), spec.layers(), 1e-3, 1, 1, 8, null, 1, "", false, 1, 0, 0, 0, 0, v.options(), null));
    }

    private Summary writeSummary() throws IOException {
        Summary s = new Summary(new ArrayList<>(done.values()), spec.variants());
        SummaryReport.write(out.resolve(SUMMARY_MD), s, spec, lrs, new ArrayList<>(done.values()));
        if (!s.fractions().isEmpty()) {
            SummaryChart.write(out.resolve(SUMMARY_PNG), s, "hora compare: " + dataName(), 1000, 650);
        }
        return s;
    }

    String dataName() {
        return spec.data() != null ? spec.data() : Path.of(spec.train()).getFileName().toString();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
