package dev.hora.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny random BERT of hora-import's tests ({@link TinyBertOnnx}: 2 layers, width 32, vocabulary 50) as
 * files an executor reads: {@code tiny.onnx} and a word-level {@code tokenizer.json} over its 50 ids
 * ([PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, words w4..w49).
 */
public final class TinyBertFiles {
    public static final int VOCAB = 50;

    private TinyBertFiles() {
    }

    /** Writes tiny.onnx into {@code dir} and returns its path. */
    public static Path onnx(Path dir) throws IOException {
        return Files.write(dir.resolve("tiny.onnx"), new TinyBertOnnx().build().toByteArray());
    }

    /**
     * Writes a random encoder of BERT-base's shape (12 layers, width 768, 12 heads, FFN 3072) with the tiny
     * vocabulary (50 ids, so {@link #tokenizer} fits it) and 128 positions: {@code bert-base-shape.onnx}.
     */
    public static Path bertBaseShape(Path dir) throws IOException {
        TinyBertOnnx g = new TinyBertOnnx();
        g.layers = 12;
        g.hidden = 768;
        g.heads = 12;
        g.ffn = 3072;
        g.maxPositions = 128;
        return Files.write(dir.resolve("bert-base-shape.onnx"), g.build().toByteArray());
    }

    /** Writes tokenizer.json into {@code dir} and returns its path. */
    public static Path tokenizer(Path dir) throws IOException {
        List<String> vocab = new ArrayList<>(List.of("\"[PAD]\": 0", "\"[UNK]\": 1", "\"[CLS]\": 2", "\"[SEP]\": 3"));
        for (int i = 4; i < VOCAB; i++) {
            vocab.add("\"w" + i + "\": " + i);
        }
        String json = "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": ["
                + special(0, "[PAD]") + "," + special(1, "[UNK]") + "," + special(2, "[CLS]") + "," + special(3, "[SEP]")
                + "], \"normalizer\": {\"type\": \"Lowercase\"}, \"pre_tokenizer\": {\"type\": \"WhitespaceSplit\"},"
                + " \"post_processor\": {\"type\": \"TemplateProcessing\","
                + " \"single\": [{\"SpecialToken\": {\"id\": \"[CLS]\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"A\", \"type_id\": 0}},"
                + " {\"SpecialToken\": {\"id\": \"[SEP]\", \"type_id\": 0}}],"
                + " \"pair\": [{\"Sequence\": {\"id\": \"A\", \"type_id\": 0}}, {\"Sequence\": {\"id\": \"B\", \"type_id\": 1}}],"
                + " \"special_tokens\": {\"[CLS]\": {\"id\": \"[CLS]\", \"ids\": [2], \"tokens\": [\"[CLS]\"]},"
                + " \"[SEP]\": {\"id\": \"[SEP]\", \"ids\": [3], \"tokens\": [\"[SEP]\"]}}},"
                + " \"decoder\": null, \"model\": {\"type\": \"WordLevel\", \"vocab\": {" + String.join(", ", vocab)
                + "}, \"unk_token\": \"[UNK]\"}}";
        return Files.writeString(dir.resolve("tokenizer.json"), json);
    }

    private static String special(int id, String content) {
        return "{\"id\": " + id + ", \"content\": \"" + content + "\", \"single_word\": false, \"lstrip\": false,"
                + " \"rstrip\": false, \"normalized\": false, \"special\": true}";
    }
}
