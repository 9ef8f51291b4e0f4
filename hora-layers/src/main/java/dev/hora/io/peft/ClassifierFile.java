package dev.hora.io.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The classification head of an adapter folder, beside the adapter files and separate from them
 * (PEFT's config has no place for a head on a pooling other than BERT's [CLS] pooler):
 * <pre>
 *   classifier.safetensors    weight [C, d]  bias [C]    (a PyTorch nn.Linear(d, C) state dict, F32)
 *   classifier_config.json    {"format": "hora-dl4j-classifier/1", "pooling": "mean" | "cls",
 *                              "hidden_size": d, "num_labels": C, "labels": [names], "max_length": n}
 * </pre>
 * The head reads the encoder's {@code last_hidden_state} pooled as {@link SavedClassifier} says;
 * the README shows the Python that rebuilds it with PEFT and transformers.
 */
public final class ClassifierFile {
    public static final String MODEL_FILE = "classifier.safetensors";
    public static final String CONFIG_FILE = "classifier_config.json";
    static final String FORMAT = "hora-dl4j-classifier/1";

    private ClassifierFile() {
    }

    /** Writes the two files into {@code dir} (created if needed). */
    public static void write(Path dir, SavedClassifier c) throws IOException {
        Files.createDirectories(dir);
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("weight", c.weight().transpose().castTo(DataType.FLOAT).dup('c'));     // [C, d]
        t.put("bias", c.bias().reshape(c.bias().length()).castTo(DataType.FLOAT));   // [C]
        SafetensorsWriter.write(dir.resolve(MODEL_FILE), t, Map.of("format", "pt"));
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("hidden_size", c.weight().size(0));
        ArrayNode l = o.putArray("labels");
        c.labels().forEach(l::add);
        o.put("max_length", c.maxLength());
        o.put("num_labels", c.labels().size());
        o.put("pooling", c.pooling());
        Json.write(dir.resolve(CONFIG_FILE), o);
    }

    /**
     * Reads the head of {@code dir}, or empty when the folder has none (no config file).
     *
     * @throws AdapterFolderException naming the file and the problem
     */
    public static Optional<SavedClassifier> read(Path dir) throws IOException {
        Path cf = dir.resolve(CONFIG_FILE);
        if (!Files.exists(cf)) {
            return Optional.empty();
        }
        ObjectNode json = Json.read(cf);
        String format = json.get(Json.require(cf, json, "format", "string")).asText();
        if (!format.equals(FORMAT)) {
            throw new AdapterFolderException(cf, "format '" + format + "' is not supported: allowed " + FORMAT);
        }
        String pooling = json.get(Json.require(cf, json, "pooling", "string")).asText();
        List<String> labels = new ArrayList<>();
        for (JsonNode n : json.get(Json.require(cf, json, "labels", "array"))) {
            if (!n.isTextual()) {
                throw new AdapterFolderException(cf, "labels holds " + n + ": expected class names as strings");
            }
            labels.add(n.asText());
        }
        int maxLength = Json.optional(cf, json, "max_length", "integer") ? json.get("max_length").asInt() : 0;
        long hidden = Json.optional(cf, json, "hidden_size", "integer") ? json.get("hidden_size").asLong() : -1;
        if (Json.optional(cf, json, "num_labels", "integer") && json.get("num_labels").asInt() != labels.size()) {
            throw new AdapterFolderException(cf, "num_labels " + json.get("num_labels") + " disagrees with the "
                    + labels.size() + " labels");
        }
        Path mf = dir.resolve(MODEL_FILE);
        int c = labels.size();
        Map<String, INDArray> t = AdapterFolder.readTensors(mf, (f, h) -> {   // the shapes, before reading
            Map<String, String> got = new LinkedHashMap<>();
            h.entries().forEach(e -> got.put(e.name(), Arrays.toString(e.shape())));
            long[] w = h.entries().stream().filter(e -> e.name().equals("weight")).findFirst().map(e -> e.shape())
                    .orElse(null);
            if (got.size() != 2 || w == null || !got.containsKey("bias") || w.length != 2 || w[0] != c
                    || hidden >= 0 && w[1] != hidden || !got.get("bias").equals("[" + c + "]")) {
                throw new AdapterFolderException(f, "expected exactly 'weight' [C, d] and 'bias' [C] with C = " + c
                        + " labels" + (hidden >= 0 ? " and d = hidden_size " + hidden : "") + ", got " + got);
            }
        }).tensors();
        INDArray w = t.get("weight");
        INDArray b = t.get("bias");
        if (w == null || b == null || t.size() != 2 || w.rank() != 2 || b.rank() != 1 || b.length() != w.size(0)
                || w.size(0) != labels.size()) {
            throw new AdapterFolderException(mf, "expected exactly 'weight' [C, d] and 'bias' [C] with C = "
                    + labels.size() + " labels, got " + shapes(t));
        }
        try {
            return Optional.of(new SavedClassifier(w.transpose().castTo(DataType.FLOAT).dup('c'),
                    b.reshape(1, b.length()).castTo(DataType.FLOAT), pooling, labels, maxLength));
        } catch (IllegalArgumentException e) {
            throw new AdapterFolderException(cf, e.getMessage(), e);
        }
    }

    private static String shapes(Map<String, INDArray> t) {
        Map<String, String> m = new LinkedHashMap<>();
        t.forEach((k, v) -> m.put(k, Arrays.toString(v.shape())));
        return m.toString();
    }
}
