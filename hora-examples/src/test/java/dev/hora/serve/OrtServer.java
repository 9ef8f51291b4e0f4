package dev.hora.serve;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.finetune.ModelSource;
import dev.hora.finetune.RunFolder;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.OnnxMerge;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import io.javalin.Javalin;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The baseline a team would otherwise deploy (not a test): ONNX Runtime (Java) serving one merged model per
 * adapter, one session each, behind the same HTTP stack (Javalin/Jetty, Jackson) and tokenizer as {@code hora
 * serve}, answering {@code POST /predict {"inputs": [...], "adapter": "aK"}} in the same form:
 * <pre>
 *   tokens -> session_k(input_ids, attention_mask, token_type_ids) -> last_hidden_state [n, S, d]
 *   pooled = masked mean over S [n, d];  p = softmax(pooled W_k + b_k)  (the adapter's head)
 * </pre>
 * Each request runs its own {@code session.run} (no batching across requests). Args: ADAPTER_DIR (folders
 * a0..) ADAPTERS PORT INTRA_OP_THREADS. Started by {@code bench/serve_vs_ort.sh}; prints "ready" when listening
 * and the resident memory after the sessions loaded.
 */
public final class OrtServer {
    private OrtServer() {
    }

    /** One served adapter: its merged session and its head, W [d, C] and b [C]. */
    private record Served(OrtSession session, float[][] w, float[] b, List<String> labels) {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int adapters = Integer.parseInt(args[1]);
        int port = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        ModelSource src = ModelSource.resolve(ModelSource.BUILTIN, null);
        ImportedBert bert = RunFolder.importModel(src);
        byte[] base;
        try (InputStream in = src.openModel()) {
            base = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        PeftModel m = PeftModel.of(bert);
        Map<String, Served> served = new HashMap<>();
        for (int i = 0; i < adapters; i++) {
            AdapterSet a = m.loadAdapter("a" + i, dir.resolve("a" + i));
            byte[] merged = OnnxMerge.merge("minilm", base, a.deltaW());
            float[][] w = a.headParams().get(ClassifierHead.WEIGHT).toFloatMatrix();
            float[] b = a.headParams().get(ClassifierHead.BIAS).toFloatVector();
            served.put("a" + i, new Served(env.createSession(merged, o), w, b, List.of("neg", "pos")));
            m.deleteAdapter("a" + i);
        }
        TokenBatcher tok = src.batcher(128);
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.jetty.defaultHost = "127.0.0.1";
            cfg.jetty.defaultPort = port;
            QueuedThreadPool pool = new QueuedThreadPool(288, 8);
            pool.setName("ort-http");
            cfg.jetty.threadPool = pool;
        });
        app.post("/predict", ctx -> {
            JsonNode body = Json.READER.readTree(ctx.bodyAsBytes());
            Served s = served.get(body.path("adapter").asText());
            if (s == null) {
                ctx.status(404).result("{\"error\":\"unknown adapter\"}");
                return;
            }
            List<String> texts = new ArrayList<>();
            body.path("inputs").forEach(n -> texts.add(n.asText()));
            Batch batch = tok.encode(texts);
            float[][][] h;
            try (OnnxTensor ids = OnnxTensor.createTensor(env, batch.inputIds());
                 OnnxTensor mask = OnnxTensor.createTensor(env, batch.attentionMask());
                 OnnxTensor types = OnnxTensor.createTensor(env, batch.tokenTypeIds());
                 OrtSession.Result r = s.session().run(Map.of("input_ids", ids, "attention_mask", mask,
                         "token_type_ids", types))) {
                h = (float[][][]) r.get(0).getValue();
            }
            List<Map<String, Object>> preds = new ArrayList<>();
            for (int i = 0; i < h.length; i++) {
                float[] p = probabilities(h[i], batch.attentionMask()[i], s.w(), s.b());
                int best = p[1] > p[0] ? 1 : 0;
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("label", s.labels().get(best));
                one.put("probability", p[best]);
                one.put("probabilities", p);
                preds.add(one);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("adapter", body.path("adapter").asText());
            out.put("labels", s.labels());
            out.put("predictions", preds);
            Json.send(ctx, 200, out);
        });
        app.start();
        System.out.printf(Locale.ROOT, "ready: %d merged ONNX Runtime sessions (intra-op %d threads) on port %d%n",
                adapters, threads, port);
    }

    /** softmax(mean over the unmasked rows of h [S, d], times w [d, C], plus b [C]). */
    static float[] probabilities(float[][] h, long[] mask, float[][] w, float[] b) {
        int d = w.length;
        double[] pooled = new double[d];
        int n = 0;
        for (int t = 0; t < h.length; t++) {
            if (mask[t] != 0) {
                n++;
                for (int j = 0; j < d; j++) {
                    pooled[j] += h[t][j];
                }
            }
        }
        int classes = b.length;
        double[] logits = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            double z = b[c];
            for (int j = 0; j < d; j++) {
                z += pooled[j] / Math.max(n, 1) * w[j][c];
            }
            logits[c] = z;
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            logits[c] = Math.exp(logits[c] - max);
            sum += logits[c];
        }
        float[] p = new float[classes];
        for (int c = 0; c < classes; c++) {
            p[c] = (float) (logits[c] / sum);
        }
        return p;
    }
}
