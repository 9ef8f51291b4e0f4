package dev.hora.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A lone client's request runs at once: the batcher waits up to --max-wait-ms for more requests only while
 * others are still on their way, and a queued request is not one of them. (With the request counted as arriving
 * until after it was queued, a worker that woke first waited the full --max-wait-ms for it: p99 queue time 5.2 ms
 * at c=1 with the default 5 ms.)
 */
class ServeLoneClientTest {
    @Test
    void sequentialRequestsNeverWaitForTheBatchWindow() throws Exception {
        ServeFixtures fx = ServeFixtures.get();
        ServeOptions o = ServeOptions.defaults();
        int maxWaitMs = 3000;
        try (HoraServer server = fx.start(o.withLimits(o.maxConcurrent(), o.maxAdapters(), maxWaitMs), Map.of())) {
            Http http = new Http(server.port());
            long slowest = 0;
            for (int i = 0; i < 300; i++) {
                long t0 = System.nanoTime();
                String text = ServeFixtures.TEXTS[i % ServeFixtures.TEXTS.length];
                Http.Reply r = http.post("/embed", Map.of("inputs", List.of(text)));
                slowest = Math.max(slowest, (System.nanoTime() - t0) / 1_000_000);
                assertEquals(200, r.status());
            }
            assertTrue(slowest < maxWaitMs / 2, "a lone request waited for the batch window: slowest " + slowest
                    + " ms with --max-wait-ms " + maxWaitMs);
        }
    }
}
