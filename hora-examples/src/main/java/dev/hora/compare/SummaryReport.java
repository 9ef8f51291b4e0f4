package dev.hora.compare;

import dev.hora.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code summary.md}: the sweep's settings, the learning rates chosen on validation, test
 * accuracy and macro-F1 per variant and fraction (mean ± half width [95 % t interval] (n)), the
 * paired differences per seed against LoRA (HoRA variants first), and the validation accuracy of the selected steps.
 */
final class SummaryReport {
    private SummaryReport() {
    }

    static void write(Path file, Summary s, SweepSpec spec, Map<String, Double> lrs, List<CellResult> all)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# hora compare: ").append(spec.data() != null ? spec.data() : spec.train()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Model `%s`; targets %s; every cell %d optimizer steps (batch %d, "
                        + "max length %d), validation every %d steps and after each epoch; validation = %s of each "
                        + "cell's training subsample (stratified); the test split is fixed (split seed %d) and scored "
                        + "once per cell, at the step chosen on validation. Seeds 1-%d%s (subsample, validation split, "
                        + "initialisation, batch order). Intervals: 95 %% t distribution over seeds.%n%n",
                spec.model(), spec.targets(), spec.steps(), spec.batchSize(), spec.maxLength(), spec.evalEvery(),
                Summary.percent(spec.valFraction()), spec.splitSeed(), spec.seeds(), seedsAt(spec)));
        sb.append("## Learning rates (chosen on validation)\n\n");
        if (spec.lrGrid().size() == 1) {
            sb.append("One value for every variant: ").append(spec.lrGrid().get(0)).append(" (no grid).\n\n");
        } else {
            sb.append(String.format(Locale.ROOT, "Grid %s, each at fraction %s and seed %d; validation accuracy:%n%n",
                    spec.lrGrid(), spec.lrFraction(), spec.lrSeed()));
            sb.append("| variant |");
            spec.lrGrid().forEach(lr -> sb.append(' ').append(lr).append(" |"));
            sb.append(" chosen |\n|").append(" --- |".repeat(spec.lrGrid().size() + 2)).append('\n');
            for (String v : s.variants()) {
                sb.append("| ").append(v).append(" |");
                for (double lr : spec.lrGrid()) {
                    String key = CellResult.key(CellResult.LR, v, spec.lrFraction(), spec.lrSeed(), lr);
                    sb.append(' ').append(all.stream().filter(c -> c.key().equals(key)).findFirst()
                            .map(c -> String.format(Locale.ROOT, "%.4f", c.validationAccuracy())).orElse("-")).append(" |");
                }
                sb.append(' ').append(lrs.containsKey(v) ? lrs.get(v) : "-").append(" |\n");
            }
            sb.append('\n');
        }
        sb.append("## Test accuracy\n\n").append(s.table("variant", CellResult::testAccuracy)).append('\n');
        sb.append("## Paired difference in test accuracy, per seed\n\n").append(s.pairedTable())
                .append("\nSame seed, same subsample. An interval entirely above 0 means the variant beat LoRA at "
                        + "that fraction; entirely below 0, it lost; across 0, the sweep cannot tell them apart.\n\n");
        sb.append("## Test macro-F1\n\n").append(s.table("variant", CellResult::testMacroF1)).append('\n');
        sb.append("## Validation accuracy at the selected step\n\n")
                .append(s.table("variant", CellResult::validationAccuracy, true))
                .append("\nChoose among variants by validation (\"all cells\" pools every fraction and seed), "
                        + "never by the test tables above.\n\n");
        sb.append("Cells: `runs.jsonl` (one line per finished cell); chart: `summary.png`.\n");
        AtomicFiles.writeBytes(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** e.g. " (at 100 %: 1-2)" for --seeds-at 1=2. */
    private static String seedsAt(SweepSpec spec) {
        if (spec.seedsAt().isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" (");
        spec.seedsAt().forEach((f, n) -> sb.append(sb.length() > 2 ? "; " : "").append("at ")
                .append(Summary.percent(f)).append(": 1-").append(n));
        return sb.append(')').toString();
    }
}
