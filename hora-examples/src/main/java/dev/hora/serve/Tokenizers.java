package dev.hora.serve;

import dev.hora.finetune.ModelSource;
import dev.hora.io.HoraJson;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model's tokenizer at each truncation length an adapter was trained with (one {@link TokenBatcher}
 * per length, made on first use), and the padding id the batcher fills rows of different requests with.
 */
final class Tokenizers implements AutoCloseable {
    private final ModelSource source;
    private final long padId;
    private final Map<Integer, TokenBatcher> byLength = new ConcurrentHashMap<>();

    Tokenizers(ModelSource source) throws IOException {
        this.source = source;
        try (InputStream in = source.openTokenizer()) {
            this.padId = HoraJson.MAPPER.readTree(in.readAllBytes()).path("padding").path("pad_id").asLong(0);
        }
    }

    /** Tokenises texts truncated to {@code maxLength} tokens, padded to the longest of them. */
    Batch encode(List<String> texts, int maxLength) {
        return byLength.computeIfAbsent(maxLength, n -> {
            try {
                return source.batcher(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).encode(texts);
    }

    long padId() {
        return padId;
    }

    @Override
    public void close() {
        byLength.values().forEach(TokenBatcher::close);
    }
}
