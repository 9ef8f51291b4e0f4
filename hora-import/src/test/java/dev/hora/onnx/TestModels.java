package dev.hora.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test fixtures for other packages: the tiny random BERT, the real MiniLM and tokenized feeds. */
public final class TestModels {
    private TestModels() {
    }

    /** A random 2-layer, width-32, 4-head BERT built as ONNX in memory and imported. */
    public static ImportedBert tiny() {
        return BertOnnx.fromBytes("tiny.onnx", new TinyBertOnnx().build().toByteArray());
    }

    /** The ONNX bytes of {@link #tiny()} (for code that reads an encoder from a file). */
    public static byte[] tinyOnnxBytes() {
        return new TinyBertOnnx().build().toByteArray();
    }

    /** {@link #tinyOnnxBytes()} with other random weights (same shapes). */
    public static byte[] tinyOnnxBytes(long seed) {
        TinyBertOnnx t = new TinyBertOnnx();
        t.seed = seed;
        return t.build().toByteArray();
    }

    /** The real all-MiniLM-L6-v2 from its Maven jar. */
    public static ImportedBert miniLm() {
        return BertOnnx.fromResource(MiniLm.MODEL);
    }

    /** Random padded batch for {@link #tiny()}: input_ids, attention_mask, token_type_ids. */
    public static Map<String, INDArray> tinyFeeds(long seed, int... lengths) {
        return Batch.random(seed, 50, 2, lengths).feeds();
    }

    /** Real sentences tokenized with MiniLM's tokenizer.json, padded to the longest. */
    public static Map<String, INDArray> miniLmFeeds(List<String> sentences) {
        try {
            return MiniLm.tokenize(sentences).feeds();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> sentences() {
        return MiniLm.SENTENCES;
    }
}
