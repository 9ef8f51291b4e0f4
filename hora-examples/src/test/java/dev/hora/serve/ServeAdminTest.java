package dev.hora.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Adding and deleting adapters while clients run, with fewer resident slots than adapters in use (the
 * least recently used keep leaving): no request that named an adapter present for its whole life fails
 * or changes its answer; one naming a deleted adapter gets 404; the added one answers before its delete.
 */
class ServeAdminTest {
    @Test
    void addAndDeleteWhileClientsRun() throws Exception {
        ServeFixtures fx = ServeFixtures.get();
        ServeOptions o = ServeOptions.defaults().withAdapterDir(fx.adapterDir);
        try (HoraServer server = fx.start(o.withLimits(o.maxConcurrent(), 3, o.maxWaitMs()), Map.of())) {
            Http http = new Http(server.port());
            List<String> steady = List.of("lora0", "lora2", "lora3");
            Map<String, JsonNode> want = new java.util.HashMap<>();
            for (String a : steady) {
                want.put(a, http.post("/predict", Map.of("inputs", List.of(ServeFixtures.TEXTS), "adapter", a)).json());
            }
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger served = new AtomicInteger();
            AtomicInteger tmpStatuses = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(6);
            for (int c = 0; c < 6; c++) {
                int id = c;
                Thread t = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            if (id == 0) {   // a client of the adapter that comes and goes: 200 or 404, nothing else
                                int st = http.post("/embed", Map.of("inputs", List.of("x"), "adapter", "tmp")).status();
                                if (st != 200 && st != 404) {
                                    failures.add("tmp answered " + st);
                                }
                                tmpStatuses.incrementAndGet();
                                continue;
                            }
                            String a = steady.get((id + i) % steady.size());
                            Http.Reply r = http.post("/predict", Map.of("inputs", List.of(ServeFixtures.TEXTS), "adapter", a));
                            if (r.status() != 200) {
                                failures.add(a + ": " + r.status() + " " + r.raw().body());
                            } else {
                                ServeConcurrencyTest.assertSame(want.get(a), r.json(), a);
                                served.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(String.valueOf(e));
                    } finally {
                        done.countDown();
                    }
                });
                t.start();
            }
            try {
                for (int round = 0; round < 4; round++) {
                    Http.Reply add = http.post("/adapters", Map.of("name", "tmp", "source", "lora" + (4 + round)));
                    assertEquals(201, add.status(), add.raw().body());
                    assertEquals(200, http.post("/predict", Map.of("inputs", List.of("ok"), "adapter", "tmp")).status());
                    assertEquals(200, http.delete("/adapters/tmp").status());
                    Http.Reply gone = http.post("/predict", Map.of("inputs", List.of("ok"), "adapter", "tmp"));
                    assertEquals(404, gone.status(), "deleted: " + gone.raw().body());
                }
            } finally {
                stop.set(true);
                done.await();
            }
            assertTrue(failures.isEmpty(), failures.toString());
            assertTrue(served.get() >= 10, "steady clients were served: " + served.get());
            assertTrue(tmpStatuses.get() > 0);
        }
    }
}
