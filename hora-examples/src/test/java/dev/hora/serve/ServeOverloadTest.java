package dev.hora.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Beyond --max-concurrent-requests the answer is 429 with Retry-After, at once, and the admitted ones succeed. */
class ServeOverloadTest {
    @Test
    void overloadIsAnsweredAtOnceWith429() throws Exception {
        ServeFixtures fx = ServeFixtures.get();
        ServeOptions o = ServeOptions.defaults();
        try (HoraServer server = fx.start(o.withLimits(2, o.maxAdapters(), o.maxWaitMs()), Map.of())) {
            Http http = new Http(server.port());
            String longText = String.join(" ", Collections.nCopies(40, "overload"));
            Map<String, Object> heavy = Map.of("inputs", Collections.nCopies(32, longText));
            record Timed(int status, long millis, String retryAfter) {
            }
            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                List<Future<Timed>> fs = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    fs.add(pool.submit(() -> {
                        long t0 = System.nanoTime();
                        Http.Reply r = http.post("/embed", heavy);
                        return new Timed(r.status(), (System.nanoTime() - t0) / 1_000_000,
                                r.raw().headers().firstValue("Retry-After").orElse(null));
                    }));
                }
                int ok = 0;
                int rejected = 0;
                long slowestReject = 0;
                for (Future<Timed> f : fs) {
                    Timed t = f.get();
                    if (t.status() == 429) {
                        rejected++;
                        slowestReject = Math.max(slowestReject, t.millis());
                        assertEquals("1", t.retryAfter());
                    } else {
                        assertEquals(200, t.status());
                        ok++;
                    }
                }
                assertTrue(rejected >= 1, "12 heavy requests against 2 slots: some get 429");
                assertTrue(ok >= 2, "the admitted ones are served: " + ok);
                assertTrue(slowestReject < 1000, "429 comes at once, not after queueing: " + slowestReject + " ms");
            } finally {
                pool.shutdownNow();
            }
            assertEquals(200, http.post("/embed", Map.of("inputs", List.of("after"))).status());
        }
    }
}
