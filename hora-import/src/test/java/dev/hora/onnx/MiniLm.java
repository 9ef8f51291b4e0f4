package dev.hora.onnx;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real all-MiniLM-L6-v2 export (float and int8) from the langchain4j test jars, and its tokenizer. */
final class MiniLm {
    static final String MODEL = "all-minilm-l6-v2.onnx";
    static final String MODEL_Q = "all-minilm-l6-v2-q.onnx";
    static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

    static final List<String> SENTENCES = List.of(
            "The quick brown fox jumps over the lazy dog.",
            "Hello world",
            "Deeplearning4j runs pretrained transformers on the JVM without Python, and adapters make fine-tuning cheap.",
            "A cat.",
            "Parameter-efficient fine-tuning trains a few million weights instead of all of them.");

    private MiniLm() {
    }

    static byte[] bytes(String resource) throws IOException {
        try (InputStream in = MiniLm.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return in.readAllBytes();
        }
    }

    /** Tokenizes each sentence without the tokenizer.json's fixed padding to 128, then right-pads to the longest. */
    static Batch tokenize(List<String> sentences) throws IOException {
        return tokenize(bytes(TOKENIZER), sentences);
    }

    /** The same with any tokenizer.json (its bytes). */
    static Batch tokenize(byte[] tokenizerJson, List<String> sentences) throws IOException {
        Path json = Files.createTempFile("tokenizer", ".json");
        try {
            Files.write(json, tokenizerJson);
            try (HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(json,
                    Map.of("padding", "false", "truncation", "true", "maxLength", "512"))) {
                List<long[]> seqs = new ArrayList<>();
                for (String s : sentences) {
                    Encoding e = tok.encode(s);
                    seqs.add(e.getIds());
                }
                return Batch.padded(seqs);
            }
        } finally {
            Files.deleteIfExists(json);
        }
    }
}
