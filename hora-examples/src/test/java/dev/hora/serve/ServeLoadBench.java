package dev.hora.serve;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.finetune.ModelSource;
import dev.hora.finetune.RunFolder;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.OnnxMerge;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Load benchmark of {@code hora serve} on all-MiniLM-L6-v2 with random LoRA adapters (r 8 on q, v, 2 classes),
 * closed-loop clients over real HTTP posting one text to /predict:
 * <pre>
 *   throughput (requests/s, tokens/s), p50 / p99 latency at each concurrency, one adapter and N mixed uniformly
 *   ONNX Runtime 1.29 (Java, in-process, no HTTP) on a merged model, one session, same concurrencies
 *   memory: RSS growth for 100 resident adapters vs for K merged ORT sessions (scaled to 100)
 * </pre>
 * {@code mvn -pl hora-examples -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.hora.serve.ServeLoadBench -Dexec.args="SECONDS CONCURRENCIES ADAPTERS ORT_SESSIONS"}
 * (defaults: 5 1,8,32,128 32 5). {@code -Dbench.adapters.out=DIR} only writes the adapters a0..a99 to DIR and
 * exits (bench/serve_soak.sh serves them from a separate {@code hora serve} process).
 */
public final class ServeLoadBench {
    static final String[] TEXTS = {"the battery lasts two days and the screen is bright", "terrible support, never again",
        "it arrived late but works fine", "absolutely love the sound quality of these headphones",
        "the plot was predictable and the acting flat", "great value for the price"};

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int[] conc = Arrays.stream((args.length > 1 ? args[1] : "1,8,32,128").split(",")).mapToInt(Integer::parseInt).toArray();
        int mixed = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int ortSessions = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        ModelSource src = ModelSource.resolve(ModelSource.BUILTIN, null);
        ImportedBert bert = RunFolder.importModel(src);
        String out = System.getProperty("bench.adapters.out");
        Path dir = out != null ? Files.createDirectories(Path.of(out)) : Files.createTempDirectory("hora-bench");
        PeftModel maker = PeftModel.of(bert);
        AdapterSet a = maker.addAdapter("src", AdapterConfig.builder().kind(AdapterKind.LORA).rank(8)
                .targets(List.of(Target.Q, Target.V)).build(), null, Pooling.MEAN, 2, 1);
        int total = Math.max(100, mixed);
        for (int i = 0; i < total; i++) {
            for (INDArray p : a.parameters().values()) {
                p.assign(Nd4j.randn(p.dataType(), p.shape()).muli(0.02));
            }
            a.parametersChanged();
            maker.saveAdapter("src", dir.resolve("a" + i), ModelSource.BUILTIN_HUB_ID, List.of("neg", "pos"), 128);
        }
        if (out != null) {
            System.out.printf(Locale.ROOT, "%d random LoRA adapters a0..a%d written to %s%n", total, total - 1, dir);
            System.exit(0);
        }
        long tokensPerText;
        try (TokenBatcher tok = src.batcher(128)) {
            tokensPerText = Arrays.stream(TEXTS).mapToLong(t -> tok.ids(t).length).sum() / TEXTS.length;
        }
        System.out.printf(Locale.ROOT, "CPU: %s, %d cores; %d s per cell; ~%d tokens per text%n", cpu(),
                Runtime.getRuntime().availableProcessors(), seconds, tokensPerText);
        ServeOptions o = ServeOptions.defaults().withAdapterDir(dir);
        PeftModel served = serveModel(bert);
        try (HoraServer server = HoraServer.start(served, src, o.withLimits(1024, 128, o.maxWaitMs()), Map.of())) {
            Http http = new Http(server.port());
            for (int i = 0; i < mixed; i++) {
                http.post("/predict", Map.of("inputs", List.of("warm"), "adapter", "a" + i));
            }
            run("warm-up", http, 8, 1, 3, tokensPerText);
            int soak = Integer.getInteger("soak.seconds", 0);
            if (soak > 0) {
                soak(http, soak, tokensPerText);
                System.exit(0);
            }
            for (int c : conc) {
                run("server, 1 adapter", http, c, 1, seconds, tokensPerText);
                run("server, " + mixed + " adapters", http, c, mixed, seconds, tokensPerText);
            }
            long before = rss();
            for (int i = 0; i < 100; i++) {
                http.post("/predict", Map.of("inputs", List.of("warm"), "adapter", "a" + i));
            }
            System.gc();
            long serverGrowth = Math.max(0, rss() - before);
            System.out.printf(Locale.ROOT, "server: %d adapters resident: their arrays %.1f MB (PeftModel.adapterBytes);"
                    + " process RSS +%.1f MB while loading them (heap noise included)%n",
                    server.adapters().resident().size(), served.adapterBytes() / 1e6, serverGrowth / 1e6);
        }
        ort(src, dir, bert, conc, seconds, tokensPerText, ortSessions);
        System.exit(0);
    }

    /**
     * {@code -Dsoak.seconds=N}: 32 clients over 100 adapters (uniform) for N seconds in 30-s slices, printing each
     * slice's throughput, errors and the process RSS; at the end the RSS drift after the first slice.
     */
    static void soak(Http http, int seconds, long tokensPerText) throws Exception {
        List<Long> rss = new ArrayList<>();
        for (int t = 0; t < seconds; t += 30) {
            run(String.format(Locale.ROOT, "soak %4d-%4d s", t, t + 30), http, 32, 100, 30, tokensPerText);
            rss.add(rss());
            System.out.printf(Locale.ROOT, "  RSS %.1f MB%n", rss.get(rss.size() - 1) / 1e6);
        }
        List<Long> after = rss.subList(Math.min(1, rss.size() - 1), rss.size());
        long min = after.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = after.stream().mapToLong(Long::longValue).max().orElse(0);
        System.out.printf(Locale.ROOT, "soak: RSS after the first slice %.1f-%.1f MB, spread %.1f %% of the lowest%n",
                min / 1e6, max / 1e6, 100.0 * (max - min) / Math.max(1, min));
    }

    static PeftModel serveModel(ImportedBert bert) {
        PeftModel m = PeftModel.builder(bert).pooling(Pooling.MEAN).build();
        m.deleteAdapter(PeftModel.DEFAULT);
        return m;
    }

    static void run(String what, Http http, int clients, int adapters, int seconds, long tokensPerText) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> lat = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        int[] errors = new int[clients];
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[200_000];
            lat.add(mine);
            int id = c;
            Thread t = new Thread(() -> {
                int n = 1;
                while (!stop.get() && n < mine.length) {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    long t0 = System.nanoTime();
                    int st = http.post("/predict", Map.of("inputs", List.of(TEXTS[r.nextInt(TEXTS.length)]),
                            "adapter", "a" + r.nextInt(adapters))).status();
                    mine[n++] = System.nanoTime() - t0;
                    if (st != 200) {
                        errors[id]++;
                    }
                }
                mine[0] = n - 1;
            });
            ts.add(t);
            t.start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : ts) {
            t.join();
        }
        report(what, clients, lat, seconds, tokensPerText, Arrays.stream(errors).sum());
    }

    static void report(String what, int clients, List<long[]> lat, double seconds, long tokensPerText, int errors) {
        long n = lat.stream().mapToLong(l -> l[0]).sum();
        long[] all = new long[(int) n];
        int k = 0;
        for (long[] l : lat) {
            System.arraycopy(l, 1, all, k, (int) l[0]);
            k += (int) l[0];
        }
        Arrays.sort(all);
        double p50 = all.length == 0 ? 0 : all[all.length / 2] / 1e6;
        double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
        System.out.printf(Locale.ROOT, "%-22s c=%-4d %8.1f req/s %9.0f tok/s  p50 %7.1f ms  p99 %7.1f ms  errors %d%n",
                what, clients, n / seconds, n * tokensPerText / seconds, p50, p99, errors);
    }

    static void ort(ModelSource src, Path dir, ImportedBert bert, int[] conc, int seconds, long tokensPerText,
                    int sessions) throws Exception {
        byte[] base;
        try (InputStream in = src.openModel()) {
            base = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        PeftModel m = PeftModel.of(bert);
        List<byte[]> merged = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            merged.add(OnnxMerge.merge("minilm", base, m.loadAdapter("x" + i, dir.resolve("a" + i)).deltaW()));
        }
        Batch[] feeds = new Batch[TEXTS.length];
        try (TokenBatcher tok = src.batcher(128)) {
            for (int i = 0; i < TEXTS.length; i++) {
                feeds[i] = tok.encode(List.of(TEXTS[i]));
            }
        }
        System.gc();
        long before = rss();
        List<OrtSession> open = new ArrayList<>();
        for (byte[] b : merged) {
            open.add(env.createSession(b, new OrtSession.SessionOptions()));
        }
        long growth = Math.max(0, rss() - before);
        System.out.printf(Locale.ROOT, "ONNX Runtime: %d merged sessions, RSS +%.1f MB; each holds its own %.1f MB model"
                + " (the merged file): >= %.0f MB for 100%n", sessions, growth / 1e6, merged.get(0).length / 1e6,
                merged.get(0).length / 1e6 * 100);
        OrtSession s = open.get(0);
        for (int c : conc) {
            AtomicBoolean stop = new AtomicBoolean();
            List<long[]> lat = new ArrayList<>();
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < c; t++) {
                long[] mine = new long[200_000];
                lat.add(mine);
                Thread th = new Thread(() -> {
                    int n = 1;
                    while (!stop.get() && n < mine.length) {
                        Batch b = feeds[ThreadLocalRandom.current().nextInt(feeds.length)];
                        long t0 = System.nanoTime();
                        try (OnnxTensor ids = OnnxTensor.createTensor(env, b.inputIds());
                             OnnxTensor mask = OnnxTensor.createTensor(env, b.attentionMask());
                             OnnxTensor types = OnnxTensor.createTensor(env, b.tokenTypeIds());
                             OrtSession.Result r = s.run(Map.of("input_ids", ids, "attention_mask", mask,
                                     "token_type_ids", types))) {
                            r.get(0);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        mine[n++] = System.nanoTime() - t0;
                    }
                    mine[0] = n - 1;
                });
                ts.add(th);
                th.start();
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
            for (Thread th : ts) {
                th.join();
            }
            report("ORT merged, 1 session", c, lat, seconds, tokensPerText, 0);
        }
        for (OrtSession o : open) {
            o.close();
        }
    }

    static long rss() throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    static String cpu() throws java.io.IOException {
        for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (l.startsWith("model name")) {
                return l.substring(l.indexOf(':') + 1).trim();
            }
        }
        return "unknown";
    }
}
