package dev.hora.text;

import dev.hora.io.HoraJson;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Tokenises sentences with a Hugging Face {@code tokenizer.json} (DJL) into {@link Batch}es padded
 * to the longest sequence of each batch, not to a fixed length.
 *
 * <pre>
 * text -> [CLS] wordpieces... [SEP]            (special tokens added by the tokenizer)
 *      -> truncated to maxLength tokens          (longest-first; [SEP] kept)
 *      -> padded with padId to max_i len_i of the batch, mask 0 there
 * </pre>
 * The fixed padding and truncation in a tokenizer.json (MiniLM's: 128) are overridden.
 */
public final class TokenBatcher implements AutoCloseable {
    /** Upper bound of {@code maxLength}: BERT-family position tables have 512 rows. */
    public static final int MAX_POSITIONS = 512;
    private static final ObjectMapper JSON = HoraJson.MAPPER;

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final long padId;

    private TokenBatcher(HuggingFaceTokenizer tokenizer, int maxLength, long padId) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.padId = padId;
    }

    /** Reads a {@code tokenizer.json} from a stream (closed by the caller). */
    public static TokenBatcher fromTokenizerJson(InputStream json, int maxLength) throws IOException {
        if (maxLength < 2 || maxLength > MAX_POSITIONS) {
            throw new IllegalArgumentException("max length must be in [2, " + MAX_POSITIONS + "], got " + maxLength);
        }
        byte[] bytes = json.readAllBytes();
        com.fasterxml.jackson.databind.JsonNode pad = JSON.readTree(bytes).path("padding").path("pad_id");
        if (!pad.isMissingNode() && !pad.isNull() && !(pad.isIntegralNumber() && pad.canConvertToInt() && pad.asInt() >= 0)) {
            throw new IOException("tokenizer.json field 'padding.pad_id' is " + pad + ", expected a token id >= 0");
        }
        long padId = pad.asLong(0);
        Map<String, String> options = Map.of(
                "padding", "false",
                "truncation", "true",
                "maxLength", Integer.toString(maxLength),
                "addSpecialTokens", "true");
        HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), options);
        return new TokenBatcher(tok, maxLength, padId);
    }

    /**
     * Reads a {@code tokenizer.json} from the class path, e.g. {@code "all-minilm-l6-v2-tokenizer.json"}
     * of the all-MiniLM-L6-v2 embedding jar beside {@code "all-minilm-l6-v2.onnx"}.
     */
    public static TokenBatcher fromResource(String name, int maxLength) throws IOException {
        String n = name.startsWith("/") ? name : "/" + name;
        try (InputStream in = TokenBatcher.class.getResourceAsStream(n)) {
            if (in == null) {
                throw new IOException("tokenizer resource " + n + " is not on the class path");
            }
            return fromTokenizerJson(in, maxLength);
        }
    }

    /** Reads a {@code tokenizer.json} file. */
    public static TokenBatcher fromTokenizerJson(Path file, int maxLength) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return fromTokenizerJson(in, maxLength);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot load tokenizer: " + e.getMessage(), e);
        }
    }

    /** The truncation length (including special tokens). */
    public int maxLength() {
        return maxLength;
    }

    /** Token ids of one text (with special tokens, truncated, unpadded). */
    public long[] ids(String text) {
        return tokenizer.encode(text).getIds();
    }

    /** Tokenises the texts into one batch padded to its longest sequence. */
    public Batch encode(List<String> texts) {
        Encoding[] enc = tokenizer.batchEncode(texts);
        int seq = 0;
        for (Encoding e : enc) {
            seq = Math.max(seq, e.getIds().length);
        }
        long[][] ids = new long[enc.length][seq];
        long[][] mask = new long[enc.length][seq];
        long[][] types = new long[enc.length][seq];
        for (int i = 0; i < enc.length; i++) {
            long[] id = enc[i].getIds();
            long[] ty = enc[i].getTypeIds();
            java.util.Arrays.fill(ids[i], padId);
            System.arraycopy(id, 0, ids[i], 0, id.length);
            System.arraycopy(ty, 0, types[i], 0, ty.length);
            java.util.Arrays.fill(mask[i], 0, id.length, 1L);
        }
        return new Batch(ids, mask, types);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
