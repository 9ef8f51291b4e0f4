package dev.hora.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.text.Batch;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * POST /predict, /embed and /v1/embeddings: admission (at most maxConcurrent in flight, 429 at once
 * beyond), the adapter's lease, tokenisation on the request's thread, then the {@link DynamicBatcher}.
 */
final class InferenceRoutes {
    /** Names of the base model in /v1/embeddings' "model" (besides the --model value itself). */
    static final Set<String> BASE_NAMES = Set.of("base", "");
    private final AdapterRegistry registry;
    private final Tokenizers tokenizers;
    private final ServeOptions opt;
    private final String modelSpec;
    private final Semaphore permits;
    private final AtomicInteger arriving = new AtomicInteger();
    private final Timer tokenization;
    private volatile DynamicBatcher batcher;
    private volatile boolean draining;

    InferenceRoutes(AdapterRegistry registry, Tokenizers tokenizers, ServeOptions opt, String modelSpec,
                    MeterRegistry metrics) {
        this.tokenization = Timer.builder("hora_tokenization").description("tokenising one request's texts")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.registry = registry;
        this.tokenizers = tokenizers;
        this.opt = opt;
        this.modelSpec = modelSpec;
        this.permits = new Semaphore(opt.maxConcurrent());
    }

    void batcher(DynamicBatcher b) {
        this.batcher = b;
    }

    /** Requests admitted but not yet queued (the batcher waits for them, up to --max-wait-ms). */
    int arriving() {
        return arriving.get();
    }

    /** Requests in flight. */
    int inFlight() {
        return opt.maxConcurrent() - permits.availablePermits();
    }

    void drain() {
        draining = true;
    }

    void predict(Context ctx) {
        Requests.Inference r = Requests.inference(Requests.object(ctx.bodyAsBytes()), "inputs", "adapter", opt);
        if (r.adapter() == null) {
            throw ApiException.unprocessable("the base model has no classification head: name an \"adapter\"");
        }
        Result res = run(r.adapter(), r.inputs(), Work.Output.PROBABILITIES);
        List<String> labels = res.adapter.labels();
        List<Map<String, Object>> preds = new ArrayList<>();
        for (float[] p : res.rows) {
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", labels.get(best));
            m.put("probability", p[best]);
            m.put("probabilities", p);
            preds.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("adapter", r.adapter());
        out.put("labels", labels);
        out.put("predictions", preds);
        Json.send(ctx, 200, out);
    }

    void embed(Context ctx) {
        Requests.Inference r = Requests.inference(Requests.object(ctx.bodyAsBytes()), "inputs", "adapter", opt);
        Result res = run(r.adapter(), r.inputs(), Work.Output.EMBEDDINGS);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("adapter", r.adapter());
        out.put("embeddings", r.normalize() ? normalize(res.rows) : res.rows);
        Json.send(ctx, 200, out);
    }

    void openAiEmbeddings(Context ctx) {
        JsonNode body = Requests.object(ctx.bodyAsBytes());
        Requests.Inference r = Requests.inference(body, "input", "model", opt);
        String format = Requests.optionalText(body, "encoding_format");
        if (format != null && !format.equals("float")) {
            throw ApiException.unprocessable("\"encoding_format\" '" + format + "' is not supported: allowed float");
        }
        String model = r.adapter();
        String adapter = model == null || BASE_NAMES.contains(model) || model.equals(modelSpec) ? null : model;
        Result res = run(adapter, r.inputs(), Work.Output.EMBEDDINGS);
        List<Map<String, Object>> data = new ArrayList<>();
        for (int i = 0; i < res.rows.length; i++) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("object", "embedding");
            d.put("index", i);
            d.put("embedding", res.rows[i]);
            data.add(d);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("object", "list");
        out.put("data", data);
        out.put("model", adapter == null ? modelSpec : adapter);
        out.put("usage", Map.of("prompt_tokens", res.tokens, "total_tokens", res.tokens));
        Json.send(ctx, 200, out);
    }

    private record Result(ServedAdapter adapter, float[][] rows, long tokens) {
    }

    private Result run(String adapterName, List<String> inputs, Work.Output output) {
        if (draining) {
            throw new ApiException(503, "the server is shutting down");
        }
        if (!permits.tryAcquire()) {
            throw new ApiException(429, "more than --max-concurrent-requests " + opt.maxConcurrent()
                    + " requests in flight; retry later");
        }
        arriving.incrementAndGet();
        boolean queued = false;
        try {
            AdapterRegistry.Lease lease = adapterName == null ? null : registry.acquire(adapterName);
            try {
                ServedAdapter a = lease == null ? null : lease.adapter();
                if (output == Work.Output.PROBABILITIES && a.labels().isEmpty()) {
                    throw ApiException.unprocessable("adapter '" + adapterName + "' has no classification head");
                }
                long t0 = System.nanoTime();
                Batch b = tokenizers.encode(inputs, a == null ? opt.maxLength() : a.maxLength());
                tokenization.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                Work w = Work.of(output, a == null ? null : a.modelName(), a == null ? 0 : a.labels().size(), b);
                // no longer on its way once queued: a worker that saw it still arriving would wait up to
                // --max-wait-ms for it (a lone client's p99 queue time was 5.2 ms with the count dropped after submit)
                arriving.decrementAndGet();
                queued = true;
                batcher.submit(w);
                long tokens = 0;
                for (long[] m : b.attentionMask()) {
                    for (long v : m) {
                        tokens += v;
                    }
                }
                return new Result(a, w.result().get(), tokens);
            } finally {
                if (lease != null) {
                    lease.close();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("forward pass failed", e.getCause());
        } finally {
            if (!queued) {
                arriving.decrementAndGet();
                DynamicBatcher b = batcher;
                if (b != null) {
                    b.nudge();
                }
            }
            permits.release();
        }
    }

    private static float[][] normalize(float[][] rows) {
        for (float[] r : rows) {
            double n = 0;
            for (float v : r) {
                n += (double) v * v;
            }
            float inv = (float) (1 / Math.max(Math.sqrt(n), 1e-12));
            for (int i = 0; i < r.length; i++) {
                r[i] *= inv;
            }
        }
        return rows;
    }
}
