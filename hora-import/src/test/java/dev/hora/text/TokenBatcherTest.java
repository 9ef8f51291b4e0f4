package dev.hora.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Against the MiniLM tokenizer.json; the reference is the same tokenizer encoding one text at a time. */
class TokenBatcherTest {
    static final String RESOURCE = "/all-minilm-l6-v2-tokenizer.json";
    static HuggingFaceTokenizer reference;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = TokenBatcherTest.class.getResourceAsStream(RESOURCE)) {
            reference = HuggingFaceTokenizer.newInstance(in, Map.of());
        }
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    static TokenBatcher batcher(int maxLength) throws IOException {
        try (InputStream in = TokenBatcherTest.class.getResourceAsStream(RESOURCE)) {
            return TokenBatcher.fromTokenizerJson(in, maxLength);
        }
    }

    @Test
    void idsMatchTheTokenizersOwnEncodingAndPadPerBatch() throws IOException {
        List<String> texts = List.of("Great phone!", "The battery died after two days, what a waste of money.", "Meh.");
        try (TokenBatcher b = batcher(128)) {
            Batch batch = b.encode(texts);
            int longest = 0;
            for (int i = 0; i < texts.size(); i++) {
                Encoding ref = reference.encode(texts.get(i));
                int len = (int) Arrays.stream(ref.getAttentionMask()).sum();
                assertEquals(len, ref.getIds().length, "reference is unpadded");
                longest = Math.max(longest, len);
                assertEquals(len, Arrays.stream(batch.attentionMask()[i]).sum());
                assertArrayEquals(Arrays.copyOf(ref.getIds(), len), Arrays.copyOf(batch.inputIds()[i], len));
                assertEquals(101L, batch.inputIds()[i][0], "[CLS]");
                assertEquals(102L, batch.inputIds()[i][len - 1], "[SEP]");
                for (int j = len; j < batch.seqLength(); j++) {
                    assertEquals(0L, batch.inputIds()[i][j]);
                    assertEquals(0L, batch.attentionMask()[i][j]);
                }
                assertArrayEquals(new long[batch.seqLength()], batch.tokenTypeIds()[i]);
            }
            assertEquals(longest, batch.seqLength(), "padded to the longest of this batch, not to 128");
            Batch small = b.encode(List.of("Meh.", "Ok."));
            assertEquals(Math.max(reference.encode("Meh.").getIds().length, reference.encode("Ok.").getIds().length),
                    small.seqLength());
            assertNotEquals(batch.seqLength(), small.seqLength());
        }
    }

    @Test
    void truncationRespectsMaxLength() throws IOException {
        String longText = "word ".repeat(300);
        try (TokenBatcher b = batcher(16)) {
            Batch batch = b.encode(List.of(longText, "short"));
            assertEquals(16, batch.seqLength());
            assertEquals(16, Arrays.stream(batch.attentionMask()[0]).sum(), "16 real tokens");
            long[] ref = reference.encode(longText).getIds();
            assertEquals(true, ref.length > 16);
            assertArrayEquals(Arrays.copyOf(ref, 15), Arrays.copyOf(batch.inputIds()[0], 15));
            assertEquals(102L, batch.inputIds()[0][15], "[SEP] kept after truncation");
        }
        try (TokenBatcher b = batcher(300)) {
            assertEquals(300, b.encode(List.of(longText)).seqLength(), "the json's 128 is overridden");
        }
        assertThrows(IllegalArgumentException.class, () -> batcher(513));
    }

    @Test
    void ndArrayViewsAreInt64WithTheBatchShape() throws IOException {
        try (TokenBatcher b = batcher(32)) {
            Batch batch = b.encode(List.of("a b c", "a"));
            INDArray ids = batch.inputIdsArray();
            assertEquals(DataType.LONG, ids.dataType());
            assertArrayEquals(new long[] {2, batch.seqLength()}, ids.shape());
            assertEquals(batch.inputIds()[0][1], ids.getLong(0, 1));
            assertEquals(DataType.LONG, batch.attentionMaskArray().dataType());
            assertEquals(Arrays.stream(batch.attentionMask()[1]).sum(), batch.attentionMaskArray().getRow(1).sumNumber().longValue());
            assertArrayEquals(new long[] {2, batch.seqLength()}, batch.tokenTypeIdsArray().shape());
        }
    }
}
