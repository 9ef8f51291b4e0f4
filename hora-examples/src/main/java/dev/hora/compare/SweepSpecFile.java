package dev.hora.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.config.AdapterKind;
import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code OUTPUT/sweep.json}: the settings of a sweep, written on its first start and checked on every
 * resume. A resumed sweep must have the same settings, except that it may grow:
 * <pre>
 *   variants   old ones kept, new ones added     (--match-params: the first HoRA variant unchanged)
 *   fractions  old ones kept, new ones added
 *   seeds      per fraction (--seeds, --seeds-at): never fewer than before
 * </pre>
 * The finished cells stay valid because a cell's result depends only on its own variant, fraction,
 * seed and learning rate; the file is rewritten with the grown settings.
 */
final class SweepSpecFile {
    /** Settings of sweep.json that a resumed sweep may grow. */
    private static final Set<String> GROWABLE = Set.of("variants", "fractions", "seeds", "seedsAt");

    private SweepSpecFile() {
    }

    /**
     * Writes {@code f} on the first start; on a resume checks {@code spec} against it (as above) and
     * rewrites it when the sweep grew.
     *
     * @throws IllegalArgumentException naming the file and every setting that differs
     */
    static void check(Path f, SweepSpec spec, PrintStream err) throws IOException {
        List<Variant> variants = spec.variants().stream().map(Variant::parse).toList();
        if (!Files.exists(f)) {
            MetricsJson.write(f, spec);
            return;
        }
        JsonNode mine = MetricsJson.MAPPER.readTree(MetricsJson.toJson(spec));   // as read back from the file
        JsonNode theirs = MetricsJson.MAPPER.readTree(f.toFile());
        if (!theirs.has("seedsAt") && theirs.isObject()) {   // a sweep from before --seeds-at
            ((ObjectNode) theirs).putObject("seedsAt");
        }
        List<String> diff = new ArrayList<>();
        mine.fieldNames().forEachRemaining(n -> {
            if (!GROWABLE.contains(n) && !mine.get(n).equals(theirs.get(n))) {
                diff.add(n + " " + theirs.get(n) + " -> " + mine.get(n));
            }
        });
        List<String> oldVariants = strings(theirs.get("variants"));
        List<String> oldFractions = strings(theirs.get("fractions"));
        List<String> lost = new ArrayList<>(oldVariants);
        lost.removeAll(strings(mine.get("variants")));
        lost.addAll(oldFractions.stream().filter(x -> !strings(mine.get("fractions")).contains(x)).toList());
        if (!lost.isEmpty()) {
            diff.add("dropped " + lost + " (a resumed sweep keeps every variant and fraction; it may add some)");
        }
        for (String fraction : oldFractions) {
            JsonNode at = theirs.path("seedsAt").path(fraction);
            int old = count(f, at.isMissingNode() ? "seeds" : "seedsAt." + fraction,
                    at.isMissingNode() ? theirs.path("seeds") : at);
            int now = spec.seeds(Double.parseDouble(fraction));
            if (now < old) {
                diff.add("seeds at fraction " + fraction + " " + old + " -> " + now + " (seeds may only grow)");
            }
        }
        String firstHora = variants.stream().filter(v -> v.kind() == AdapterKind.HORA).map(Variant::label)
                .findFirst().orElse(null);
        String oldFirstHora = oldVariants.stream().filter(v -> Variant.parse(v).kind() == AdapterKind.HORA)
                .findFirst().orElse(null);
        if (spec.matchParams() && oldFirstHora != null && !oldFirstHora.equals(firstHora)) {
            diff.add("first hora variant " + oldFirstHora + " -> " + firstHora + " (--match-params matches ranks to it)");
        }
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException(f + " holds a sweep with other settings (" + String.join("; ", diff)
                    + "); resume it with the same options or choose another --output");
        }
        if (!mine.equals(theirs)) {
            err.printf(Locale.ROOT, "compare: growing the sweep of %s: variants %s -> %s, fractions %s -> %s, "
                    + "seeds %d %s -> %d %s%n", f, oldVariants, spec.variants(), oldFractions, spec.fractions(),
                    theirs.path("seeds").asInt(), theirs.path("seedsAt"), spec.seeds(), spec.seedsAt());
            MetricsJson.write(f, spec);
        }
    }

    /** A seed count of the file: a positive integer, else an error naming the file and field. */
    private static int count(Path f, String field, JsonNode n) {
        if (!n.isInt() || n.asInt() < 1) {
            throw new IllegalArgumentException(f + ": field '" + field + "' is " + n + ", expected a positive integer");
        }
        return n.asInt();
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> l.add(n.asText()));
        }
        return l;
    }

}
