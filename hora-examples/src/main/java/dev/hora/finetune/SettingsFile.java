package dev.hora.finetune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hora.config.AdapterOptions;
import dev.hora.config.Target;
import dev.hora.io.HoraJson;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads {@link FinetuneSettings} from a file (settings.json, or the {@code settings} of a merged
 * model's sidecar) strictly, naming the file and the field of every problem: no type coercion (a
 * quoted number, a number for a name, 8.7 for an integer), enum values from their lists, and every
 * number in the range the command line allows.
 */
final class SettingsFile {
    private static final ObjectMapper STRICT = HoraJson.STRICT;

    private SettingsFile() {
    }

    /** Reads and checks the settings of {@code file}. */
    static FinetuneSettings read(Path file) throws IOException {
        JsonNode tree;
        try {
            tree = STRICT.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        return fromTree(file, "", tree);
    }

    /** Checks the settings held in {@code tree} (at {@code field} of {@code file}; "" for the whole file). */
    static FinetuneSettings fromTree(Path file, String field, JsonNode tree) throws IOException {
        if (tree == null || !tree.isObject()) {
            throw new IOException(file + ": " + (field.isEmpty() ? "the settings" : "field '" + field + "'")
                    + " is not a JSON object of settings");
        }
        FinetuneSettings s;
        try {
            s = STRICT.treeToValue(tree, FinetuneSettings.class);
        } catch (JsonMappingException e) {
            throw new IOException(file + ": field '" + (field.isEmpty() ? "" : field + ".") + HoraJson.path(e) + "': "
                    + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid settings: " + e.getOriginalMessage(), e);
        }
        try {
            check(s);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": field '" + (field.isEmpty() ? "" : field + ".") + e.getMessage(), e);
        }
        return s;
    }

    /** @throws IllegalArgumentException {@code name' is VALUE: allowed RANGE} (the caller adds the quote and prefix) */
    private static void check(FinetuneSettings s) {
        require(s.model() != null && !s.model().isBlank(), "model", s.model(), "a model name or path");
        require(s.output() != null, "output", null, "the run directory");
        require(s.pooling() == null || s.pooling().equals("mean") || s.pooling().equals("cls"), "pooling",
                s.pooling(), "mean, cls");
        boolean probe = s.adapter() == null;
        require(probe ? s.rank() == 0 : s.rank() >= 1 && s.rank() <= 1024, "rank", s.rank(),
                probe ? "0 (adapter none)" : "[1, 1024]");
        require(probe ? s.alpha() == 0 : s.alpha() > 0 && Double.isFinite(s.alpha()), "alpha", s.alpha(),
                probe ? "0 (adapter none)" : "a finite number > 0");
        require(s.lr() > 0 && Double.isFinite(s.lr()), "lr", s.lr(), "a finite number > 0");
        require(s.epochs() >= 1, "epochs", s.epochs(), ">= 1");
        require(s.batchSize() >= 1, "batchSize", s.batchSize(), ">= 1");
        require(s.maxLength() >= 1, "maxLength", s.maxLength(), ">= 1");
        require(s.threads() >= 1 && s.threads() <= 1024, "threads", s.threads(), "[1, 1024]");
        require(s.checkpointEvery() >= 0, "checkpointEvery", s.checkpointEvery(), ">= 0");
        require(s.valFraction() >= 0 && s.valFraction() < 1, "valFraction", s.valFraction(), "[0, 1)");
        require(s.steps() >= 0, "steps", s.steps(), ">= 0");
        require(s.evalEvery() >= 0, "evalEvery", s.evalEvery(), ">= 0");
        require(s.testFraction() > 0 && s.testFraction() < 1, "testFraction", s.testFraction(), "(0, 1)");
        require(s.trainFraction() > 0 && s.trainFraction() <= 1, "trainFraction", s.trainFraction(), "(0, 1]");
        require(s.targets() != null && (probe || !s.targets().isEmpty()), "targets", s.targets(),
                "a list of projections");
        for (String t : s.targets()) {
            try {
                Target.parse(t);
            } catch (IllegalArgumentException | NullPointerException e) {
                require(false, "targets", s.targets(), "q, k, v, o, intermediate, ffn-output");
            }
        }
        if (s.layers() != null) {
            require(s.layers().stream().allMatch(l -> l != null && l >= 0), "layers", s.layers(),
                    "layer indices >= 0, or null for all");
        }
        if (s.adapterOptions() != null) {
            try {
                AdapterOptions.check(s.adapterOptions());
            } catch (IllegalArgumentException e) {
                require(false, "adapterOptions", s.adapterOptions(), "known options: " + e.getMessage());
            }
        }
    }

    private static void require(boolean ok, String name, Object value, String allowed) {
        if (!ok) {
            throw new IllegalArgumentException(name + "' is " + (value instanceof String ? "'" + value + "'" : value)
                    + ": allowed " + allowed);
        }
    }
}
