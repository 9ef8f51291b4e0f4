package dev.hora.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad request gets its own 4xx with a JSON error that names the problem (no stack trace),
 * and the server goes on serving good requests after each.
 */
class ServeBadRequestTest {
    static ServeFixtures fx;
    static HoraServer server;
    static Http http;
    static Path outside;

    @BeforeAll
    static void start() throws IOException {
        fx = ServeFixtures.get();
        outside = Files.createTempDirectory("hora-outside");
        Files.createDirectories(outside.resolve("evil"));
        Files.writeString(outside.resolve("evil/adapter_config.json"), "{}");
        Path dir = Files.createDirectories(fx.dir.resolve("bad-requests"));
        Files.createSymbolicLink(dir.resolve("escape"), outside.resolve("evil"));
        Files.createDirectories(dir.resolve("linked"));
        Files.createSymbolicLink(dir.resolve("linked/adapter_config.json"), outside.resolve("evil/adapter_config.json"));
        Files.createDirectories(dir.resolve("broken"));
        Files.writeString(dir.resolve("broken/adapter_config.json"), "{\"peft_type\": \"LORA\"");
        copyTree(fx.adapterDir.resolve("lora0"), dir.resolve("good"));
        copyTree(fx.runs.get("lora"), dir.resolve("other-base"));      // a run recording another base model's hash
        java.util.Map<String, String> base = new java.util.LinkedHashMap<>(
                dev.hora.finetune.RunManifest.base(dir.resolve("other-base")).toMap());
        base.put(base.keySet().iterator().next(), "0".repeat(64));
        java.nio.file.Files.delete(dir.resolve("other-base").resolve(dev.hora.finetune.RunManifest.FILE));
        dev.hora.finetune.RunManifest.write(dir.resolve("other-base"), base);
        ServeOptions o = ServeOptions.defaults().withAdapterDir(dir);
        o = new ServeOptions(o.host(), o.port(), o.maxBatchTokens(), o.maxWaitMs(), o.maxConcurrent(), o.maxAdapters(),
                4096, 4, 200, o.maxLength(), o.adapterDir(), null);
        server = fx.start(o, Map.of("hora", fx.runs.get("hora")));
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    void expect(int status, String containing, Http.Reply r) {
        assertEquals(status, r.status(), r.raw().body());
        assertTrue(r.json() != null, "JSON error body: " + r.raw().body());
        assertTrue(r.error().contains(containing), r.error());
        assertFalse(r.raw().body().contains("at dev.hora") || r.raw().body().contains("Exception"), r.raw().body());
        Http.Reply ok = http.post("/predict", Map.of("inputs", List.of("still serving"), "adapter", "hora"));
        assertEquals(200, ok.status(), "the server serves after a bad request: " + ok.raw().body());
    }

    @Test
    void malformedAndMistypedBodies() {
        expect(400, "malformed JSON", http.post("/predict", "{\"inputs\": [\"a\""));
        expect(400, "malformed JSON", http.post("/predict", "{\"inputs\": [\"a\"]} trailing"));
        expect(400, "empty body", http.post("/embed", ""));
        expect(422, "expected a JSON object", http.post("/predict", "[1, 2]"));
        expect(422, "\"inputs\" must be a string or an array", http.post("/predict", "{\"inputs\": 5, \"adapter\": \"hora\"}"));
        expect(422, "inputs[1] must be a string", http.post("/predict", "{\"inputs\": [\"a\", 3], \"adapter\": \"hora\"}"));
        expect(422, "\"adapter\" must be a string", http.post("/predict", "{\"inputs\": [\"a\"], \"adapter\": 7}"));
        expect(422, "\"inputs\" is missing", http.post("/embed", "{\"adapter\": \"hora\"}"));
        expect(422, "\"inputs\" is empty", http.post("/predict", "{\"inputs\": [], \"adapter\": \"hora\"}"));
        expect(422, "encoding_format", http.post("/v1/embeddings", "{\"input\": \"a\", \"encoding_format\": \"base64\"}"));
        expect(422, "no classification head", http.post("/predict", "{\"inputs\": [\"a\"]}"));
        expect(404, "no endpoint", http.post("/nope", "{}"));
    }

    @Test
    void tooLong() {
        expect(413, "limit is 4", http.post("/embed", Map.of("inputs", Collections.nCopies(5, "x"))));
        expect(413, "200", http.post("/embed", Map.of("inputs", List.of("x".repeat(201)))));
        expect(413, "--max-body-bytes", http.post("/embed", "{\"inputs\": [\"" + "y".repeat(5000) + "\"]}"));
    }

    @Test
    void unknownAndBrokenAdapters() {
        expect(404, "no adapter named 'missing'", http.post("/predict", Map.of("inputs", List.of("a"), "adapter", "missing")));
        expect(422, "is not allowed", http.post("/embed", Map.of("inputs", List.of("a"), "adapter", "../etc")));
        expect(422, "cannot be served", http.post("/embed", Map.of("inputs", List.of("a"), "adapter", "broken")));
        expect(422, "SHA-256 " + "0".repeat(64), http.post("/embed", Map.of("inputs", List.of("a"), "adapter", "other-base")));
        expect(404, "no adapter named 'missing'", http.delete("/adapters/missing"));
        Http.Reply good = http.post("/embed", Map.of("inputs", List.of("a"), "adapter", "good"));
        assertEquals(200, good.status(), "a folder under --adapter-dir loads by name");
    }

    @Test
    void sourcesStayInsideTheAdapterDir() {
        expect(403, "'..'", http.post("/adapters", Map.of("name", "t1", "source", "../run-hora")));
        expect(403, "'..'", http.post("/adapters", Map.of("name", "t2", "source", "good/../../run-hora")));
        expect(403, "absolute", http.post("/adapters", Map.of("name", "t3", "source", fx.runs.get("hora").toString())));
        expect(403, "link out of --adapter-dir", http.post("/adapters", Map.of("name", "t4", "source", "escape")));
        expect(403, "link out of --adapter-dir", http.post("/adapters", Map.of("name", "t5", "source", "linked")));
        expect(403, "link out of --adapter-dir", http.post("/embed", Map.of("inputs", List.of("a"), "adapter", "escape")));
        expect(404, "no adapter folder", http.post("/adapters", Map.of("name", "t6", "source", "absent")));
        expect(422, "\"source\" is missing", http.post("/adapters", Map.of("name", "t7")));
        expect(409, "exists already", http.post("/adapters", Map.of("name", "hora", "source", "good")));
    }

    @Test
    void apiKeyMissingOrWrong() throws IOException {
        try (HoraServer keyed = fx.start(ServeOptions.defaults().withApiKey("s3cret-key"), Map.of())) {
            Http none = new Http(keyed.port());
            Http wrong = new Http(keyed.port(), "s3cret-kez");
            Http right = new Http(keyed.port(), "s3cret-key");
            Http.Reply r = none.post("/embed", Map.of("inputs", List.of("a")));
            assertEquals(401, r.status());
            assertTrue(r.error().contains("missing API key"), r.error());
            assertEquals("Bearer", r.raw().headers().firstValue("WWW-Authenticate").orElse(""));
            Http.Reply w = wrong.post("/embed", Map.of("inputs", List.of("a")));
            assertEquals(401, w.status());
            assertTrue(w.error().contains("wrong API key"), w.error());
            assertEquals(401, wrong.get("/adapters").status());
            assertEquals(401, none.get("/metrics").status());
            assertEquals(200, none.get("/health").status(), "health needs no key");
            assertEquals(200, right.post("/embed", Map.of("inputs", List.of("a"))).status());
            assertEquals(200, right.get("/info").status());
        }
    }

    @Test
    void healthInfoMetricsAndAdapters() {
        assertEquals("ok", http.get("/health").json().get("status").asText());
        assertEquals("all-minilm-l6-v2", http.get("/info").json().get("model").asText());
        Http.Reply m = http.get("/metrics");
        assertEquals(200, m.status());
        assertTrue(m.raw().body().contains("hora_requests_seconds"), m.raw().body());
        Http.Reply a = http.get("/adapters");
        assertTrue(a.json().get("adapters").toString().contains("\"hora\""), a.raw().body());
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var s = Files.list(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
