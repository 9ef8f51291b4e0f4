package dev.hora.serve;

import java.nio.file.Path;

/**
 * The limits and switches of {@code hora serve}.
 *
 * @param host            address to listen on (127.0.0.1 unless told otherwise)
 * @param port            TCP port (0: an ephemeral one)
 * @param maxBatchTokens  padded tokens (rows x longest row) per forward pass; one request larger runs alone
 * @param maxWaitMs       how long the batcher waits for more requests once one is queued
 * @param maxConcurrent   requests in flight at once; beyond it the answer is 429 at once
 * @param maxAdapters     adapters resident at once (least recently used leave; pinned ones stay)
 * @param maxBodyBytes    request body limit (413 beyond)
 * @param maxInputs       texts per request (413 beyond)
 * @param maxInputChars   characters per text (413 beyond)
 * @param maxLength       tokens per text for the base model and adapters that do not record one
 * @param adapterDir      folder adapters load from by name and POST /adapters sources must lie in (null: none)
 * @param apiKey          the key clients send as {@code Authorization: Bearer KEY} (null: no key needed)
 */
public record ServeOptions(String host, int port, int maxBatchTokens, int maxWaitMs, int maxConcurrent,
                           int maxAdapters, long maxBodyBytes, int maxInputs, int maxInputChars, int maxLength,
                           Path adapterDir, String apiKey) {
    public ServeOptions {
        atLeast("--port", port, 0);
        atLeast("--max-batch-tokens", maxBatchTokens, 1);
        atLeast("--max-wait-ms", maxWaitMs, 0);
        atLeast("--max-concurrent-requests", maxConcurrent, 1);
        atLeast("--max-adapters", maxAdapters, 1);
        atLeast("--max-body-bytes", maxBodyBytes, 64);
        atLeast("--max-inputs", maxInputs, 1);
        atLeast("--max-input-chars", maxInputChars, 1);
        if (maxLength < 2 || maxLength > 512) {
            throw new IllegalArgumentException("--max-length must be in [2, 512], got " + maxLength);
        }
        if (port > 65535) {
            throw new IllegalArgumentException("--port must be at most 65535, got " + port);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key is empty");
        }
    }

    /** Defaults for tests and the library: 127.0.0.1, an ephemeral port, no adapter dir, no key. */
    public static ServeOptions defaults() {
        return new ServeOptions("127.0.0.1", 0, 16384, 5, 256, 64, 1 << 20, 64, 10_000, 128, null, null);
    }

    public ServeOptions withAdapterDir(Path dir) {
        return new ServeOptions(host, port, maxBatchTokens, maxWaitMs, maxConcurrent, maxAdapters, maxBodyBytes,
                maxInputs, maxInputChars, maxLength, dir, apiKey);
    }

    public ServeOptions withApiKey(String key) {
        return new ServeOptions(host, port, maxBatchTokens, maxWaitMs, maxConcurrent, maxAdapters, maxBodyBytes,
                maxInputs, maxInputChars, maxLength, adapterDir, key);
    }

    public ServeOptions withLimits(int maxConcurrent, int maxAdapters, int maxWaitMs) {
        return new ServeOptions(host, port, maxBatchTokens, maxWaitMs, maxConcurrent, maxAdapters, maxBodyBytes,
                maxInputs, maxInputChars, maxLength, adapterDir, apiKey);
    }

    private static void atLeast(String name, long v, long min) {
        if (v < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + v);
        }
    }
}
