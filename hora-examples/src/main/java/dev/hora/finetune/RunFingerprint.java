package dev.hora.finetune;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.data.Example;
import dev.hora.data.Sha256;
import dev.hora.data.Split;
import dev.hora.data.TextDataset;
import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything that determines a run, as flat key -> value strings stored in its checkpoint, so
 * {@code --resume} can refuse to continue a different run:
 * <pre>
 *   settings.&lt;option&gt;   each resolved setting except output, resume and checkpointEvery (threads: the
 *                        thread count changes float summation order), and except the paths of the model,
 *                        tokenizer and data files, whose content is hashed below: a run resumes after its
 *                        files moved, not after they changed
 *   model.sha256 / tokenizer.sha256      the bytes of the ONNX model and tokenizer.json
 *   data.&lt;train|test|data&gt;.sha256      the bytes of each data file given as a path
 *   split.&lt;train|test&gt;.sha256           the examples (label, text) of each split in order, and the class names
 * </pre>
 */
record RunFingerprint(Map<String, String> values) {
    /** Settings that are paths -> the key of their content's hash, which stands for them. */
    private static final Map<String, String> PATHS = Map.of("settings.model", "model.sha256",
            "settings.tokenizer", "tokenizer.sha256", "settings.train", "data.train.sha256",
            "settings.test", "data.test.sha256", "settings.data", "data.data.sha256");

    RunFingerprint {
        values = Map.copyOf(values);
    }

    static RunFingerprint of(FinetuneSettings s, ModelSource source, Split split) throws IOException {
        Map<String, String> v = new TreeMap<>();
        ObjectNode settings = MetricsJson.MAPPER.valueToTree(s);
        settings.remove(List.of("output", "resume", "checkpointEvery"));   // where and how often, not what
        if (s.splitSeed() == null) {
            settings.remove("splitSeed");                                    // runs written before it existed
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = settings.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            v.put("settings." + e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
        }
        try (InputStream in = source.openModel()) {
            v.put("model.sha256", Sha256.of(in));
        }
        try (InputStream in = source.openTokenizer()) {
            v.put("tokenizer.sha256", Sha256.of(in));
        }
        String[][] files = {{"train", s.train()}, {"test", s.test()}, {"data", s.data()}};
        for (String[] f : files) {
            if (f[1] != null && Files.isRegularFile(Path.of(f[1]))) {
                v.put("data." + f[0] + ".sha256", Sha256.of(Path.of(f[1])));
            }
        }
        PATHS.forEach((path, content) -> {
            if (v.containsKey(content)) {
                v.remove(path);
            }
        });
        v.put("split.train.sha256", digest(split.train()));
        v.put("split.test.sha256", digest(split.test()));
        return new RunFingerprint(v);
    }

    private static String digest(TextDataset d) {
        StringBuilder b = new StringBuilder(String.join("\u0000", d.labelNames())).append('\n');
        for (Example e : d.examples()) {
            b.append(e.label()).append('\t').append(e.text().replace("\n", "\\n")).append('\n');
        }
        return Sha256.of(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The base model record: the SHA-256 of the model and tokenizer ({@link BaseModelCheck}). */
    Map<String, String> base() {
        return Map.of(BaseModelCheck.MODEL, values.get(BaseModelCheck.MODEL), BaseModelCheck.TOKENIZER,
                values.get(BaseModelCheck.TOKENIZER));
    }

    String toJson() {
        return MetricsJson.toJson(new TreeMap<>(values));
    }

    static RunFingerprint parse(Path file, String json) throws IOException {
        try {
            return new RunFingerprint(MetricsJson.MAPPER.readValue(json, new TypeReference<Map<String, String>>() { }));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": the run fingerprint in the checkpoint is not a JSON map of strings: "
                    + e.getMessage(), e);
        }
    }

    /** What differs from {@code now}, one entry per key: {@code "settings.lr: 0.001 -> 0.002"}. */
    List<String> differences(RunFingerprint now) {
        List<String> out = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(values.keySet());
        keys.addAll(now.values.keySet());
        for (String k : keys) {
            String content = PATHS.get(k);
            if (content != null && values.containsKey(content) && now.values.containsKey(content)) {
                continue;   // a path (kept by checkpoints of older versions): its content's hash decides
            }
            String a = values.get(k);
            String b = now.values.get(k);
            if (a == null || !a.equals(b)) {
                out.add(k + ": " + (a == null ? "(none)" : a) + " -> " + (b == null ? "(none)" : b));
            }
        }
        return out;
    }
}
