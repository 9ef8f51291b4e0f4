package dev.hora.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.data.Sha256;
import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The completion marker and checksums of a run directory: {@code manifest.json}, written last,
 * after every other file of the run is complete.
 * <pre>
 *   {"format": "hora-run/1", "complete": true,
 *    "files": {"model.safetensors": "&lt;sha-256 hex&gt;", "adapter/adapter_model.safetensors": ..., ...}}
 * </pre>
 * A directory without it did not finish (the process died or failed after writing some files);
 * {@link #verify} refuses it, and refuses any listed file whose SHA-256 differs (a flipped byte,
 * an edit, a file replaced from another run).
 */
public final class RunManifest {
    public static final String FILE = "manifest.json";
    static final String FORMAT = "hora-run/1";
    /** The files a finished run holds, relative to its directory; those that exist are listed. */
    static final List<String> FILES = List.of(FinetuneSettings.FILE, RunFolder.LABELS, RunFolder.MODEL,
            RunFolder.ADAPTER_DIR + "/adapter_model.safetensors", RunFolder.ADAPTER_DIR + "/adapter_config.json",
            RunFolder.ADAPTER_DIR + "/classifier.safetensors", RunFolder.ADAPTER_DIR + "/classifier_config.json",
            RunFolder.METRICS);

    private RunManifest() {
    }

    /** Hashes the run's files and writes the manifest (atomically); call it last. */
    public static void write(Path dir) throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        for (String f : FILES) {
            if (Files.isRegularFile(dir.resolve(f))) {
                files.put(f, Sha256.of(dir.resolve(f)));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("complete", true);
        m.put("files", files);
        MetricsJson.write(dir.resolve(FILE), m);
    }

    /** Removes the marker when a run (re)starts writing its outputs, so a failure cannot leave an old one. */
    public static void invalidate(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILE));
    }

    /**
     * Checks that {@code dir} is a finished run whose files are those it wrote.
     *
     * @throws IOException naming the missing marker, the missing file or the file whose checksum differs
     */
    public static void verify(Path dir) throws IOException {
        Path mf = dir.resolve(FILE);
        if (!Files.isRegularFile(mf)) {
            throw new IOException(mf + ": missing; " + dir + " is not a finished hora finetune run (the run stopped "
                    + "before writing its completion marker; finish it with --resume)");
        }
        JsonNode root;
        try {
            root = MetricsJson.MAPPER.readTree(mf.toFile());
        } catch (IOException e) {
            throw new IOException(mf + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText()) || !root.path("complete").asBoolean(false)
                || !root.path("files").isObject() || !root.path("files").has(RunFolder.MODEL)) {
            throw new IOException(mf + ": not a complete " + FORMAT + " manifest listing " + RunFolder.MODEL);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!FILES.contains(e.getKey())) {
                throw new IOException(mf + ": lists an unknown file '" + e.getKey() + "'");
            }
            Path f = dir.resolve(e.getKey());
            if (!Files.isRegularFile(f)) {
                throw new IOException(f + ": missing, but listed in " + mf);
            }
            String sha = Sha256.of(f);
            if (!sha.equals(e.getValue().asText())) {
                throw new IOException(f + ": SHA-256 " + sha + " differs from " + e.getValue().asText() + " in " + mf
                        + " (the file was corrupted or changed after the run)");
            }
        }
    }
}
