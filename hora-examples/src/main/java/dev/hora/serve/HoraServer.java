package dev.hora.serve;

import dev.hora.finetune.ModelSource;
import dev.hora.peft.PeftModel;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hora serve}: one frozen base model and many adapters behind one HTTP endpoint (Javalin on Jetty).
 * <pre>
 *   POST /predict  /embed  /v1/embeddings      inference, dynamically batched across requests and adapters
 *   GET /adapters  POST /adapters  DELETE /adapters/{name}
 *   GET /health (no key needed)  /info  /metrics (Prometheus)
 * </pre>
 * {@link #shutdown} stops accepting, answers what is queued and in flight, then stops.
 */
public final class HoraServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HoraServer.class);
    private static final String START = "hora.start";
    private final Javalin app;
    private final AdapterRegistry registry;
    private final InferenceRoutes inference;
    private final DynamicBatcher batcher;
    private final Tokenizers tokenizers;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Server jetty;
    private volatile boolean draining;

    private HoraServer(PeftModel model, ModelSource source, ServeOptions opt) throws IOException {
        this.tokenizers = new Tokenizers(source);
        this.registry = new AdapterRegistry(model, new AdapterLoader(model, source, opt.maxLength()),
                opt.adapterDir(), opt.maxAdapters());
        this.inference = new InferenceRoutes(registry, tokenizers, opt, source.spec(), metrics);
        this.batcher = new DynamicBatcher(model, opt.maxBatchTokens(), opt.maxWaitMs(), tokenizers.padId(),
                inference::arriving, metrics);
        inference.batcher(batcher);
        new JvmMemoryMetrics().bindTo(metrics);
        metrics.gauge("hora_adapters_resident", registry, r -> r.resident().size());
        metrics.gauge("hora_requests_in_flight", inference, InferenceRoutes::inFlight);
        byte[] key = opt.apiKey() == null ? null : sha256(opt.apiKey());
        Map<String, Object> info = info(model, source, opt);
        AdapterRoutes adapters = new AdapterRoutes(registry);
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.maxRequestSize = opt.maxBodyBytes();
            cfg.jetty.defaultHost = opt.host();
            cfg.jetty.defaultPort = opt.port();
            QueuedThreadPool pool = new QueuedThreadPool(Math.max(32, opt.maxConcurrent() + 32), 8);
            pool.setName("hora-http");
            cfg.jetty.threadPool = pool;
            cfg.jetty.modifyServer(s -> {
                s.setStopTimeout(30_000);
                jetty = s;
            });
        });
        app.before(ctx -> {
            ctx.attribute(START, System.nanoTime());
            if (draining) {
                ctx.header("Connection", "close");
            }
            if (key != null && !ctx.path().equals("/health")) {
                checkKey(ctx, key);
            }
        });
        app.after(this::record);
        app.post("/predict", inference::predict);
        app.post("/embed", inference::embed);
        app.post("/v1/embeddings", inference::openAiEmbeddings);
        app.get("/adapters", adapters::list);
        app.post("/adapters", adapters::add);
        app.delete("/adapters/{name}", adapters::delete);
        app.get("/health", ctx -> Json.send(ctx, draining ? 503 : 200, Map.of("status", draining ? "draining" : "ok")));
        app.get("/info", ctx -> Json.send(ctx, 200, info));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
        app.exception(ApiException.class, (e, ctx) -> {
            if (e.status() == 429) {
                ctx.header("Retry-After", "1");
            }
            Json.error(ctx, e.status(), e.getMessage());
        });
        app.exception(HttpResponseException.class, (e, ctx) -> Json.error(ctx, e.getStatus(),
                e.getStatus() == 413 ? "the body is larger than --max-body-bytes " + opt.maxBodyBytes()
                        : e.getStatus() == 404 ? "no endpoint " + ctx.method() + " " + ctx.path() : e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("{} {} failed", ctx.method(), ctx.path(), e);
            Json.error(ctx, 500, "internal error (see the server log)");
        });
        app.error(404, ctx -> {
            if (ctx.attribute(Json.SENT) == null) {
                Json.error(ctx, 404, "no endpoint " + ctx.method() + " " + ctx.path());
            }
        });
    }

    /**
     * Starts a server on {@code model} (its adapters deleted first are none: pass a model with no
     * adapter) with the {@code pinned} adapters loaded and never evicted.
     */
    public static HoraServer start(PeftModel model, ModelSource source, ServeOptions opt, Map<String, Path> pinned)
            throws IOException {
        HoraServer s = new HoraServer(model, source, opt);
        try {
            pinned.forEach(s.registry::pin);
        } catch (ApiException e) {
            s.batcher.close();
            throw new IOException(e.getMessage(), e);
        }
        s.app.start();
        LOG.info("hora serve listening on {}:{}", opt.host(), s.port());
        return s;
    }

    public int port() {
        return app.port();
    }

    public AdapterRegistry adapters() {
        return registry;
    }

    /** Stops accepting connections, answers queued and in-flight requests, stops (idempotent). */
    public synchronized void shutdown() {
        if (draining) {
            awaitStopped();
            return;
        }
        draining = true;
        inference.drain();
        batcher.hurry();
        Server s = jetty;
        if (s != null) {
            for (Connector c : s.getConnectors()) {
                if (c instanceof NetworkConnector n) {
                    try {
                        n.close();
                    } catch (RuntimeException e) {
                        LOG.debug("closing {}", n, e);
                    }
                }
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (inference.inFlight() > 0 && System.nanoTime() < deadline) {   // admitted ones: queued and answered
            batcher.nudge();
            sleep(5);
        }
        batcher.close();
        sleep(100);   // the last responses leave their buffers
        app.stop();
        tokenizers.close();
        metrics.close();
        stopped.countDown();
    }

    /** Blocks until {@link #shutdown} finished. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    private void record(Context ctx) {
        Long t0 = ctx.attribute(START);
        if (t0 == null) {
            return;
        }
        String route = ctx.endpointHandlerPath();
        Timer.builder("hora_requests").description("HTTP requests by route and status")
                .tag("route", route == null || route.isEmpty() ? "other" : route)
                .tag("status", Integer.toString(ctx.statusCode()))
                .publishPercentiles(0.5, 0.99).register(metrics)
                .record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
    }

    private static void checkKey(Context ctx, byte[] key) {
        String auth = ctx.header("Authorization");
        String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim()
                : ctx.header("X-API-Key");
        if (given == null || given.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "missing API key: send Authorization: Bearer KEY");
        }
        if (!MessageDigest.isEqual(sha256(given), key)) {   // equal-length digests: constant time
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "wrong API key");
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> info(PeftModel model, ModelSource source, ServeOptions opt) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", source.spec());
        m.put("model_description", source.description());
        m.put("hidden_size", model.backbone().hiddenSize());
        m.put("layers", model.backbone().numLayers());
        m.put("max_length", opt.maxLength());
        m.put("max_batch_tokens", opt.maxBatchTokens());
        m.put("max_wait_ms", opt.maxWaitMs());
        m.put("max_concurrent_requests", opt.maxConcurrent());
        m.put("max_adapters", opt.maxAdapters());
        m.put("max_inputs", opt.maxInputs());
        m.put("max_input_chars", opt.maxInputChars());
        m.put("adapter_dir", opt.adapterDir() != null);
        m.put("api_key", opt.apiKey() != null);
        String v = HoraServer.class.getPackage().getImplementationVersion();
        m.put("version", v == null ? "dev" : v);
        return m;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
