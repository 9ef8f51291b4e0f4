package dev.hora.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code hora serve} in its own JVM: SIGTERM while requests are in flight and queued stops accepting,
 * answers every one of them (200) and exits 0.
 */
class ServeShutdownTest {
    @Test
    void sigtermDrainsInFlightRequestsAndExitsZero() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xss4m", "-Xmx2g", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        for (String p : List.of("org.bytedeco.javacpp.cachedir", "DJL_CACHE_DIR")) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.addAll(List.of("dev.hora.cli.Hora", "serve", "--port", "0", "--threads", "2"));
        Process proc = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            Pattern p = Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "the server printed its port");
            Http http = new Http(port);
            assertEquals(200, http.get("/health").status());
            Map<String, Object> heavy = Map.of("inputs", Collections.nCopies(12, String.join(" ",
                    Collections.nCopies(40, "draining"))));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Http.Reply>> fs = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    fs.add(pool.submit(() -> http.post("/embed", heavy)));
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!http.get("/metrics").raw().body().contains("hora_requests_in_flight 4.0")) {
                    assertTrue(System.nanoTime() < until, "4 requests in flight");
                    Thread.sleep(20);
                }
                proc.destroy();   // SIGTERM
                for (Future<Http.Reply> f : fs) {
                    Http.Reply r = f.get(120, TimeUnit.SECONDS);
                    assertEquals(200, r.status(), r.raw().body());
                    assertEquals(12, r.json().get("embeddings").size());
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(proc.waitFor(60, TimeUnit.SECONDS), "the server exits after draining");
            assertEquals(0, proc.exitValue(), "exit code after SIGTERM");
            assertThrows(RuntimeException.class, () -> http.get("/health"), "no longer accepting");
        } finally {
            proc.destroyForcibly();
        }
    }
}
