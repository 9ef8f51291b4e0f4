package dev.hora.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * 32 concurrent clients over 8 adapters (loaded on first use from --adapter-dir) get the answers the same
 * requests get one at a time, although the batcher mixes their adapters in shared forward passes; with
 * fewer resident slots than adapters, the least recently used leave and come back with the same answers.
 */
class ServeConcurrencyTest {
    /** Mixed batches pad rows to other lengths: the sums differ in the last float bits only. */
    static final double TOL = 2e-5;

    record Req(String path, Map<String, Object> body) {
    }

    static List<Req> requests(List<String> adapters, int n, long seed) {
        Random rnd = new Random(seed);
        List<Req> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> texts = new ArrayList<>();
            for (int k = 0, m = 1 + rnd.nextInt(3); k < m; k++) {
                texts.add(ServeFixtures.TEXTS[rnd.nextInt(ServeFixtures.TEXTS.length)]);
            }
            String a = adapters.get(rnd.nextInt(adapters.size()));
            out.add(rnd.nextInt(4) == 0 ? new Req("/embed", Map.of("inputs", texts, "adapter", a))
                    : new Req("/predict", Map.of("inputs", texts, "adapter", a)));
        }
        return out;
    }

    static void assertSame(JsonNode want, JsonNode got, String what) {
        if (want.has("predictions")) {
            for (int i = 0; i < want.get("predictions").size(); i++) {
                JsonNode w = want.get("predictions").get(i);
                JsonNode g = got.get("predictions").get(i);
                assertEquals(w.get("label"), g.get("label"), what);
                for (int c = 0; c < w.get("probabilities").size(); c++) {
                    assertEquals(w.get("probabilities").get(c).asDouble(), g.get("probabilities").get(c).asDouble(), TOL,
                            what);
                }
            }
        } else {
            ServeParityTest.assertClose(Http.matrix(want.get("embeddings")), Http.matrix(got.get("embeddings")), TOL);
        }
    }

    @Test
    void thirtyTwoClientsOverEightAdaptersGetTheOneAtATimeAnswers() throws Exception {
        ServeFixtures fx = ServeFixtures.get();
        try (HoraServer server = fx.start(ServeOptions.defaults().withAdapterDir(fx.adapterDir), Map.of())) {
            Http http = new Http(server.port());
            List<Req> reqs = requests(fx.eight, 96, 1);
            List<JsonNode> alone = new ArrayList<>();
            for (Req r : reqs) {
                Http.Reply rep = http.post(r.path(), r.body());
                assertEquals(200, rep.status(), rep.raw().body());
                alone.add(rep.json());
            }
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<Http.Reply>> fs = new ArrayList<>();
                for (Req r : reqs) {
                    fs.add(pool.submit(() -> http.post(r.path(), r.body())));
                }
                for (int i = 0; i < reqs.size(); i++) {
                    Http.Reply rep = fs.get(i).get();
                    assertEquals(200, rep.status(), rep.raw().body());
                    assertSame(alone.get(i), rep.json(), "request " + i + " " + reqs.get(i));
                }
            } finally {
                pool.shutdownNow();
            }
            String metrics = http.get("/metrics").raw().body();
            double maxRows = metrics.lines().filter(l -> l.startsWith("hora_batch_rows_max"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
            assertTrue(maxRows > 3, "concurrent requests shared forward passes: largest pass " + maxRows + " rows");
            // the stage timers (as TEI's): one tokenisation and one queue wait per request, one inference per pass
            assertEquals(2.0 * reqs.size(), metric(metrics, "hora_tokenization_seconds_count"), metrics);
            assertEquals(2.0 * reqs.size(), metric(metrics, "hora_queue_seconds_count"), metrics);
            assertEquals(metric(metrics, "hora_batch_rows_count"), metric(metrics, "hora_inference_seconds_count"));
            assertTrue(metric(metrics, "hora_inference_seconds_count") < 2.0 * reqs.size(), metrics);
            assertEquals(8, http.get("/adapters").json().get("adapters").size());
        }
    }

    /** The value of an unlabelled Prometheus sample {@code name} (NaN when absent). */
    static double metric(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(
                l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
    }

    @Test
    void leastRecentlyUsedAdaptersLeaveAndReloadWithTheSameAnswers() throws IOException {
        ServeFixtures fx = ServeFixtures.get();
        ServeOptions o = ServeOptions.defaults().withAdapterDir(fx.adapterDir);
        try (HoraServer server = fx.start(o.withLimits(o.maxConcurrent(), 3, o.maxWaitMs()), Map.of())) {
            Http http = new Http(server.port());
            Map<String, Object> body = Map.of("inputs", List.of(ServeFixtures.TEXTS), "adapter", "lora0");
            JsonNode first = http.post("/predict", body).json();
            for (String a : fx.eight.subList(1, 5)) {
                assertEquals(200, http.post("/predict", Map.of("inputs", List.of("x"), "adapter", a)).status());
            }
            JsonNode list = http.get("/adapters").json();
            assertEquals(3, list.get("adapters").size(), list.toString());
            assertEquals(List.of("lora2", "lora3", "lora4"), list.get("adapters").findValuesAsText("name"));
            Http.Reply again = http.post("/predict", body);
            assertEquals(200, again.status());
            assertSame(first, again.json(), "lora0 reloaded");
        }
    }
}
