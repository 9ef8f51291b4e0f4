package dev.hora.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hora.finetune.FinetuneSettings;
import dev.hora.finetune.RunFolder;
import dev.hora.finetune.RunSpec;
import dev.hora.fit.Classifier;
import dev.hora.finetune.TrainedModel;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Over real HTTP: /predict gives what {@code hora predict} gives on the same run directory (labels as it
 * prints them, probabilities to 1e-6 against its code path) for LoRA, MH-LoRA, HoRA and a linear probe
 * (the base with a head); /embed and /v1/embeddings give the model's pooled output.
 */
class ServeParityTest {
    static ServeFixtures fx;
    static HoraServer server;
    static Http http;

    @BeforeAll
    static void start() throws IOException {
        fx = ServeFixtures.get();
        Map<String, Path> pinned = new LinkedHashMap<>(fx.runs);
        server = fx.start(ServeOptions.defaults(), pinned);
        http = new Http(server.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void predictEqualsHoraPredictForEveryAdapterKind() throws IOException {
        for (Map.Entry<String, Path> run : fx.runs.entrySet()) {
            Http.Reply r = http.post("/predict", Map.of("inputs", List.of(ServeFixtures.TEXTS), "adapter", run.getKey()));
            assertEquals(200, r.status(), r.raw().body());
            boolean full = run.getKey().equals("hora");   // the whole hora predict path once; its model for the rest
            TrainedModel ref = full ? TrainedModel.open(run.getValue()) : sameAsPredict(run.getValue());
            float[][] p;
            try (TokenBatcher tok = ref.tokenizer()) {
                p = ref.classifier().probabilities(tok, List.of(ServeFixtures.TEXTS), 64);
            }
            String[] printed = full ? ServeFixtures.hora(concat("predict", "--model-path", run.getValue().toString()))
                    .lines().toArray(String[]::new) : null;
            JsonNode preds = r.json().get("predictions");
            assertEquals(ServeFixtures.TEXTS.length, preds.size());
            for (int i = 0; i < p.length; i++) {
                int best = Classifier.argmax(new float[][]{p[i]})[0];
                assertEquals(ref.labels().get(best), preds.get(i).get("label").asText(), run.getKey() + " " + i);
                assertEquals(p[i][best], preds.get(i).get("probability").asDouble(), 1e-6);
                if (printed != null) {
                    String[] cols = printed[i].split("\t");
                    assertEquals(cols[0], preds.get(i).get("label").asText(), "label of " + ServeFixtures.TEXTS[i]);
                    assertEquals(Double.parseDouble(cols[1]), preds.get(i).get("probability").asDouble(), 5e-5);
                }
                for (int c = 0; c < p[i].length; c++) {
                    assertEquals(p[i][c], preds.get(i).get("probabilities").get(c).asDouble(), 1e-6,
                            run.getKey() + " p[" + i + "][" + c + "]");
                }
            }
            assertEquals(ref.labels().toString(), r.json().get("labels").toString().replace("\"", "").replace(",", ", "));
        }
    }

    @Test
    void embedEqualsThePooledOutputOfTheAdapterAndOfTheBase() throws IOException {
        List<String> texts = List.of(ServeFixtures.TEXTS);
        PeftModel run = peftOf(fx.runs.get("hora"));
        Batch b;
        try (TokenBatcher tok = fx.source.batcher(16)) {
            b = tok.encode(texts);
        }
        INDArray adapted = run.pooled(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray());
        Http.Reply r = http.post("/embed", Map.of("inputs", texts, "adapter", "hora"));
        assertEquals(200, r.status(), r.raw().body());
        assertClose(adapted.toFloatMatrix(), Http.matrix(r.json().get("embeddings")), 1e-5);

        Batch base;
        try (TokenBatcher tok = fx.source.batcher(128)) {
            base = tok.encode(texts);
        }
        INDArray ref = PeftModel.of(fx.bert).pooled(base.inputIdsArray(), base.attentionMaskArray(),
                base.tokenTypeIdsArray());
        Http.Reply e = http.post("/embed", Map.of("inputs", texts));
        assertEquals(200, e.status(), e.raw().body());
        assertClose(ref.toFloatMatrix(), Http.matrix(e.json().get("embeddings")), 1e-5);

        Http.Reply o = http.post("/v1/embeddings", Map.of("input", texts, "model", "hora"));
        assertEquals(200, o.status(), o.raw().body());
        com.fasterxml.jackson.databind.node.ArrayNode rows = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                .arrayNode();
        for (int i = 0; i < o.json().get("data").size(); i++) {
            assertEquals(i, o.json().get("data").get(i).get("index").asInt());
            rows.add(o.json().get("data").get(i).get("embedding"));
        }
        assertClose(adapted.toFloatMatrix(), Http.matrix(rows), 1e-5);
        assertEquals("list", o.json().get("object").asText());
        Http.Reply single = http.post("/v1/embeddings", Map.of("input", texts.get(0), "model", "base"));
        assertEquals(200, single.status(), single.raw().body());
        assertEquals(1, single.json().get("data").size());
    }

    /**
     * What {@link TrainedModel#open} makes of a run directory (RunFolder.load: manifest verified, the run's
     * model with its tensors), on the fixtures' imported encoder instead of a second import of the same file.
     */
    static TrainedModel sameAsPredict(Path run) throws IOException {
        dev.hora.finetune.RunManifest.verify(run);
        FinetuneSettings s = FinetuneSettings.read(run.resolve(FinetuneSettings.FILE));
        List<String> labels = dev.hora.metrics.MetricsJson.MAPPER.readValue(run.resolve(RunFolder.LABELS).toFile(),
                new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
        PeftModel m = RunSpec.model(s, fx.bert, labels.size());
        m.setTrainable(dev.hora.io.SafetensorsReader.readWeights(run.resolve(RunFolder.MODEL)).tensors());
        return new TrainedModel(m::predictProba, labels, s, dev.hora.finetune.RunManifest.base(run));
    }

    static PeftModel peftOf(Path run) throws IOException {
        FinetuneSettings s = FinetuneSettings.read(run.resolve(FinetuneSettings.FILE));
        PeftModel m = RunSpec.model(s, fx.bert, 2);
        m.setTrainable(dev.hora.io.SafetensorsReader.readWeights(run.resolve(RunFolder.MODEL)).tensors());
        return m;
    }

    static void assertClose(float[][] want, float[][] got, double tol) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i].length, got[i].length);
            for (int j = 0; j < want[i].length; j++) {
                if (Math.abs(want[i][j] - got[i][j]) > tol) {
                    throw new AssertionError("row " + i + " col " + j + ": " + want[i][j] + " != " + got[i][j]
                            + " (" + Arrays.toString(Arrays.copyOf(got[i], 4)) + "...)");
                }
            }
        }
    }

    private static String[] concat(String... a) {
        List<String> l = new java.util.ArrayList<>(List.of(a));
        l.addAll(List.of(ServeFixtures.TEXTS));
        return l.toArray(String[]::new);
    }
}
