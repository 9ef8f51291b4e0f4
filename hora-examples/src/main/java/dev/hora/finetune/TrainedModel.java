package dev.hora.finetune;

import dev.hora.fit.Classifier;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.ModelSource;
import dev.hora.metrics.MetricsJson;
import dev.hora.peft.MergedModel;
import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A fine-tuned classifier ready to predict: either a run directory of {@code hora finetune}
 * (adapters applied on the fly) or a merged model file of {@code hora merge} (adapters folded in,
 * with its sidecar {@code FILE.json} holding the class names, the run's settings, the model
 * file's SHA-256 and the base model record, written after the model file and verified when it is
 * opened). Either way the tokenizer must be the one the run was trained with ({@link BaseModelCheck}).
 */
public record TrainedModel(Classifier classifier, List<String> labels, FinetuneSettings settings, BaseModelCheck base) {

    /** Sidecar key of the merged model file's SHA-256, verified on open. */
    static final String SHA256 = "sha256";
    /** Sidecar key of the base model record ({@link BaseModelCheck}): the merged model's tokenizer is checked. */
    static final String BASE = "base";

    /** Sidecar of a merged model file. */
    public static Path sidecar(Path mergedFile) {
        return mergedFile.resolveSibling(mergedFile.getFileName() + ".json");
    }

    /** Opens a run directory or a merged model file; errors name the path and the problem. */
    public static TrainedModel open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            RunFolder.Loaded run = RunFolder.load(path);
            return new TrainedModel(run.model()::predictProba, run.labels(), run.settings(), run.base());
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such run directory or merged model file");
        }
        Path side = sidecar(path);
        if (!Files.isRegularFile(side)) {
            throw new IOException(side + ": missing; a merged model needs the sidecar written by hora merge");
        }
        JsonNode json;
        FinetuneSettings s;
        List<String> labels = new ArrayList<>();
        try {
            json = MetricsJson.MAPPER.readTree(side.toFile());
            if (json == null || !json.hasNonNull("settings") || !json.path("labels").isArray()) {
                throw new IOException("expected {\"labels\": [...], \"settings\": {...}}");
            }
            s = SettingsFile.fromTree(side, "settings", json.get("settings"));
            for (JsonNode n : json.get("labels")) {
                if (!n.isTextual()) {
                    throw new IOException("labels: " + n + " is not a string");
                }
                labels.add(n.asText());
            }
            RunFolder.checkLabels(side, labels);
            if (!json.path(SHA256).isTextual()) {
                throw new IOException("no \"" + SHA256 + "\" of the model file (written by an older hora merge? "
                        + "merge the run again)");
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(side + ": not a hora merged-model sidecar: " + e.getMessage(), e);
        }
        String sha = dev.hora.data.Sha256.of(path);
        if (!sha.equals(json.get(SHA256).asText())) {
            throw new IOException(path + ": SHA-256 " + sha + " differs from " + json.get(SHA256).asText() + " in "
                    + side + " (the file was corrupted or changed after hora merge)");
        }
        MergedModel merged;
        try {
            merged = MergedModel.load(path);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!json.has(BASE)) {
            throw new IOException(side + ": no \"" + BASE + "\" record of the base model's SHA-256 (written by an "
                    + "older hora merge? merge the run again)");
        }
        return new TrainedModel(merged::predictProba, labels, s, BaseModelCheck.read(side, BASE, json.get(BASE)));
    }

    /** Writes a merged model file and its sidecar. */
    public static void writeMerged(Path file, MergedModel merged, List<String> labels, FinetuneSettings s,
                                   BaseModelCheck base) throws IOException {
        merged.save(file);
        Map<String, Object> side = new LinkedHashMap<>();
        side.put("labels", labels);
        side.put("settings", s);
        side.put(SHA256, dev.hora.data.Sha256.of(file));
        side.put(BASE, base.toMap());
        MetricsJson.write(sidecar(file), side);   // last: the sidecar marks the merged model complete
    }

    /** The tokenizer of the model the run was trained from, refused if it changed since ({@link BaseModelCheck}). */
    public TokenBatcher tokenizer() throws IOException {
        return base.batcher(ModelSource.resolve(settings.model(), settings.tokenizer() == null ? null
                : Path.of(settings.tokenizer())), settings.maxLength());
    }
}
