package dev.hora.compare;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The tables of {@code summary.md}, computed from the sweep's finished cells:
 * <pre>
 *   per variant and fraction: mean test accuracy (and macro-F1), 95 % t interval, n seeds
 *   paired: d_s = acc(variant, seed s) - acc(LoRA, seed s) over the seeds both finished (HoRA
 *           variants first, then the others),
 *           mean d with its 95 % t interval and n
 * </pre>
 * Missing cells are left out (a sweep in progress shows what it has).
 */
public final class Summary {
    private final List<CellResult> cells;
    private final List<String> variants;
    private final List<Double> fractions;

    /** @param cells the sweep-phase results; @param variants labels in display order */
    public Summary(List<CellResult> cells, List<String> variants) {
        this.cells = cells.stream().filter(c -> c.phase().equals(CellResult.SWEEP)).toList();
        this.variants = List.copyOf(variants);
        this.fractions = List.copyOf(new TreeSet<>(this.cells.stream().map(CellResult::fraction).toList()));
    }

    public List<Double> fractions() {
        return fractions;
    }

    public List<String> variants() {
        return variants;
    }

    /** Interval of {@code metric} over the seeds of (variant, fraction), or null if none finished. */
    public Interval interval(String variant, double fraction, ToDoubleFunction<CellResult> metric) {
        List<Double> v = cells.stream().filter(c -> c.variant().equals(variant) && c.fraction() == fraction)
                .map(metric::applyAsDouble).toList();
        return v.isEmpty() ? null : Interval.of(v);
    }

    /** Paired test-accuracy differences {@code a - b} per seed at a fraction, or null if no seed has both. */
    public Interval paired(String a, String b, double fraction) {
        Map<Long, Double> accB = new LinkedHashMap<>();
        cells.stream().filter(c -> c.variant().equals(b) && c.fraction() == fraction)
                .forEach(c -> accB.put(c.seed(), c.testAccuracy()));
        List<Double> d = new ArrayList<>();
        cells.stream().filter(c -> c.variant().equals(a) && c.fraction() == fraction && accB.containsKey(c.seed()))
                .forEach(c -> d.add(c.testAccuracy() - accB.get(c.seed())));
        return d.isEmpty() ? null : Interval.of(d);
    }

    /** Trainable scalars of a variant (from its first finished cell), or -1. */
    public long trainable(String variant) {
        return cells.stream().filter(c -> c.variant().equals(variant)).mapToLong(CellResult::trainableParams)
                .findFirst().orElse(-1);
    }

    /** Rank of a variant's cells, or -1. */
    public int rank(String variant) {
        return cells.stream().filter(c -> c.variant().equals(variant)).mapToInt(CellResult::rank).findFirst().orElse(-1);
    }

    /** The first LoRA variant (the reference of the paired differences), or null. */
    public String loraReference() {
        return cells.stream().filter(c -> c.adapter().equals("lora")).map(CellResult::variant).findFirst().orElse(null);
    }

    /** HoRA variants, in display order. */
    public List<String> horaVariants() {
        return variants.stream().filter(v -> cells.stream().anyMatch(c -> c.variant().equals(v)
                && c.adapter().equals("hora"))).toList();
    }

    /** A Markdown table of {@code metric} (rows: variants; columns: fractions). */
    public String table(String title, ToDoubleFunction<CellResult> metric) {
        return table(title, metric, false);
    }

    /**
     * A Markdown table of {@code metric}; with {@code allCells} a last column pools every finished cell
     * of the variant (all fractions and seeds): the score to choose a variant by, on validation.
     */
    public String table(String title, ToDoubleFunction<CellResult> metric, boolean allCells) {
        StringBuilder sb = new StringBuilder(header(title + " | trainable | rank", allCells));
        for (String v : variants) {
            sb.append("| ").append(v).append(" | ").append(trainable(v) < 0 ? "-"
                    : String.format(Locale.ROOT, "%,d", trainable(v))).append(" | ").append(rank(v) < 0 ? "-" : rank(v));
            for (double f : fractions) {
                sb.append(" | ").append(format(interval(v, f, metric), false));
            }
            if (allCells) {
                List<Double> all = cells.stream().filter(c -> c.variant().equals(v)).map(metric::applyAsDouble).toList();
                sb.append(" | ").append(format(all.isEmpty() ? null : Interval.of(all), false));
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }

    /**
     * The variants paired against the LoRA reference: the HoRA variants first (the question of the
     * sweep), then every other finished variant (MH-LoRA, the frozen-encoder probe, ...).
     */
    public List<String> pairedVariants() {
        String lora = loraReference();
        List<String> rows = new ArrayList<>(horaVariants());
        variants.stream().filter(v -> !v.equals(lora) && !rows.contains(v) && trainable(v) >= 0).forEach(rows::add);
        return rows;
    }

    /** The paired table, each variant - LoRA, or a note when there is no LoRA or nothing to pair with it. */
    public String pairedTable() {
        String lora = loraReference();
        List<String> rows = pairedVariants();
        if (lora == null || rows.isEmpty()) {
            return "_No paired difference: the sweep needs a `lora` variant and another one._\n";
        }
        StringBuilder sb = new StringBuilder(header("difference", false));
        for (String h : rows) {
            sb.append("| ").append(h).append(" - ").append(lora);
            for (double f : fractions) {
                sb.append(" | ").append(format(paired(h, lora, f), true));
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }

    private String header(String first, boolean allCells) {
        StringBuilder sb = new StringBuilder("| ").append(first);
        for (double f : fractions) {
            sb.append(" | ").append(percent(f));
        }
        sb.append(allCells ? " | all cells" : "");
        sb.append(" |\n|").append(" --- |".repeat(first.split("\\|").length + fractions.size() + (allCells ? 1 : 0)))
                .append('\n');
        return sb.toString();
    }

    /** {@code 0.8861 ± 0.0123 (n=5)}; signed for differences; {@code -} for a missing cell. */
    static String format(Interval i, boolean signed) {
        if (i == null) {
            return "-";
        }
        String mean = String.format(Locale.ROOT, signed ? "%+.4f" : "%.4f", i.mean());
        if (i.n() < 2) {
            return mean + " (n=1)";
        }
        return String.format(Locale.ROOT, "%s ± %.4f [%s, %s] (n=%d)", mean, i.half(),
                String.format(Locale.ROOT, signed ? "%+.4f" : "%.4f", i.low()),
                String.format(Locale.ROOT, signed ? "%+.4f" : "%.4f", i.high()), i.n());
    }

    static String percent(double f) {
        double p = 100 * f;
        return (p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%s", p)) + " %";
    }
}
