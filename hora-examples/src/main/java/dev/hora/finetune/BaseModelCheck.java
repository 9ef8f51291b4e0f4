package dev.hora.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.data.Sha256;
import dev.hora.text.TokenBatcher;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SHA-256 of the base model (ONNX bytes) and tokenizer.json a run was trained with, as
 * recorded in its {@code manifest.json} (or a merged model's sidecar), and the check every
 * consumer of a run makes before using them: {@code predict}, {@code evaluate} and {@code merge}
 * read the bytes once, hash them and use those very bytes, or refuse a mismatch naming both
 * hashes. A model or tokenizer replaced after training would otherwise change every prediction
 * without a word.
 *
 * @param model      SHA-256 hex of the ONNX model the run was trained from
 * @param tokenizer  SHA-256 hex of its tokenizer.json
 * @param recordedIn the file holding the record, for messages
 */
public record BaseModelCheck(String model, String tokenizer, Path recordedIn) {
    /** Keys of the record (as in the run's fingerprint). */
    static final String MODEL = "model.sha256";
    static final String TOKENIZER = "tokenizer.sha256";

    /** The record as a JSON object's fields. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(MODEL, model);
        m.put(TOKENIZER, tokenizer);
        return m;
    }

    /** Reads {@code {"model.sha256": HEX, "tokenizer.sha256": HEX}} from {@code node} of {@code file}. */
    static BaseModelCheck read(Path file, String field, JsonNode node) throws IOException {
        String[] v = new String[2];
        String[] keys = {MODEL, TOKENIZER};
        for (int i = 0; i < 2; i++) {
            JsonNode n = node == null ? null : node.get(keys[i]);
            if (n == null || !n.isTextual() || !n.asText().matches("[0-9a-f]{64}")) {
                throw new IOException(file + ": field '" + field + "." + keys[i] + "' is " + (n == null ? "missing" : n)
                        + ", expected the SHA-256 (64 hex digits) of the base model's "
                        + (i == 0 ? "ONNX file" : "tokenizer.json"));
            }
            v[i] = n.asText();
        }
        return new BaseModelCheck(v[0], v[1], file);
    }

    /** The ONNX model's bytes, refused when their SHA-256 is not the recorded one. */
    public byte[] modelBytes(ModelSource source) throws IOException {
        byte[] b;
        try (InputStream in = source.openModel()) {
            b = in.readAllBytes();
        }
        require("base model", source.description(), model, Sha256.of(b));
        return b;
    }

    /** A batcher from the source's tokenizer.json, refused when its SHA-256 is not the recorded one. */
    public TokenBatcher batcher(ModelSource source, int maxLength) throws IOException {
        byte[] b;
        try (InputStream in = source.openTokenizer()) {
            b = in.readAllBytes();
        }
        require("tokenizer", source.description() + " (its tokenizer.json)", tokenizer, Sha256.of(b));
        ModelSource fixed = new ModelSource(source.spec(), source.description(), source.model(),
                () -> new ByteArrayInputStream(b));
        return fixed.batcher(maxLength);
    }

    private void require(String what, String where, String recorded, String now) throws IOException {
        if (!recorded.equals(now)) {
            throw new IOException(where + ": the " + what + "'s SHA-256 is " + now + ", but the run was trained with "
                    + recorded + " (recorded in " + recordedIn + "): the file was replaced after training and "
                    + "would give different predictions; restore the original file or train again");
        }
    }
}
