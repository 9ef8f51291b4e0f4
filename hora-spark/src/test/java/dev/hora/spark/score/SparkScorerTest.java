package dev.hora.spark.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.fit.Classifier;
import dev.hora.onnx.BertOnnx;
import dev.hora.peft.PeftModel;
import dev.hora.spark.SparkFixtures;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spark scoring on local[2,2] against the path of {@code hora predict} (a model with the adapter loaded from its
 * folder, active, {@link Classifier#probabilities} in batches of 64), rows naming different adapters; a task
 * killed on its first attempt; embeddings of the base model.
 */
class SparkScorerTest {
    private static final int ROWS = 60;
    private static final String[] NAMES = {"lora", "hora", "mh"};
    private static SparkFixtures fx;
    private static SparkSession spark;
    private static List<String> texts;
    private static Dataset<Row> input;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new SparkFixtures();
        spark = SparkFixtures.spark();
        texts = SparkFixtures.texts(ROWS, 3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            rows.add(RowFactory.create((long) (1000 - i), texts.get(i), NAMES[(i * 7 / 3) % 3]));
        }
        StructType schema = new StructType().add("id", DataTypes.LongType, false).add("text", DataTypes.StringType)
                .add("adapter", DataTypes.StringType);
        input = spark.createDataFrame(rows, schema).repartition(3);
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    static ScoreSpec spec(ScoreSpec.Output out, String adapterColumn, String adapter) {
        return new ScoreSpec(fx.onnx.toString(), fx.tokenizer.toString(), null, "text", "id", adapterColumn, adapter,
                out, 16, 8, 1);
    }

    /** Reference: per adapter, the hora predict path on that adapter's rows; row i -> probabilities. */
    static float[][] predictPath() throws Exception {
        float[][] want = new float[ROWS][];
        try (TokenBatcher tok = TokenBatcher.fromTokenizerJson(fx.tokenizer, 16)) {
            for (String name : NAMES) {
                PeftModel m = PeftModel.of(BertOnnx.load(fx.onnx));
                m.loadAdapter(name, fx.adapters.get(name));
                m.setActiveAdapter(name);
                List<Integer> idx = new ArrayList<>();
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < ROWS; i++) {
                    if (NAMES[(i * 7 / 3) % 3].equals(name)) {
                        idx.add(i);
                        mine.add(texts.get(i));
                    }
                }
                float[][] p = ((Classifier) m::predictProba).probabilities(tok, mine, 64);
                for (int k = 0; k < idx.size(); k++) {
                    want[idx.get(k)] = p[k];
                }
            }
        }
        return want;
    }

    /** Collected rows by input index (id = 1000 - index), checking one row per input row. */
    static Row[] byIndex(List<Row> got) {
        assertEquals(ROWS, got.size(), "one output row per input row");
        Row[] out = new Row[ROWS];
        Set<Long> ids = new HashSet<>();
        for (Row r : got) {
            long id = r.getLong(0);
            assertTrue(ids.add(id), "duplicate id " + id);
            out[(int) (1000 - id)] = r;
        }
        return out;
    }

    static float[] values(Row r) {
        List<Object> l = r.getList(3);
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (Float) l.get(i);
        }
        return f;
    }

    static void assertProbabilities(Row[] got, float[][] want) {
        double maxErr = 0;
        for (int i = 0; i < ROWS; i++) {
            float[] p = values(got[i]);
            assertEquals(want[i].length, p.length);
            assertEquals(NAMES[(i * 7 / 3) % 3], got[i].getString(1));
            assertEquals(Classifier.argmax(new float[][]{want[i]})[0], got[i].getInt(2), "row " + i);
            for (int c = 0; c < p.length; c++) {
                maxErr = Math.max(maxErr, Math.abs(p[c] - want[i][c]));
            }
        }
        assertTrue(maxErr <= 1e-6, "max |p_spark - p_predict| = " + maxErr);
    }

    @Test
    void mixedAdapterScoringEqualsThePredictPath() throws Exception {
        AdapterBundle bundle = AdapterBundle.read(fx.adapters);
        Dataset<Row> out = new SparkScorer(spark).score(input, spec(ScoreSpec.Output.PROBABILITIES, "adapter", null), bundle);
        assertEquals(List.of("id", "adapter", "prediction", "probabilities"), List.of(out.schema().fieldNames()));
        float[][] want = predictPath();
        assertProbabilities(byIndex(out.collectAsList()), want);
        // the adapters really differ (else a model that ignored the row's adapter would pass)
        PeftModel m = PeftModel.of(BertOnnx.load(fx.onnx));
        m.loadAdapter("lora", fx.adapters.get("lora"));
        m.loadAdapter("hora", fx.adapters.get("hora"));
        try (TokenBatcher tok = TokenBatcher.fromTokenizerJson(fx.tokenizer, 16)) {
            Batch b = tok.encode(List.of(texts.get(0)));
            INDArray a = m.predictProba(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray(), List.of("lora"));
            INDArray h = m.predictProba(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray(), List.of("hora"));
            assertTrue(a.sub(h).amaxNumber().doubleValue() > 1e-3, "lora and hora give different probabilities");
        }
    }

    @Test
    void aTaskKilledOnItsFirstAttemptStillGivesEveryRowOnce() throws Exception {
        AdapterBundle bundle = AdapterBundle.read(fx.adapters);
        Dataset<Row> out = new SparkScorer(spark).score(input, spec(ScoreSpec.Output.PROBABILITIES, "adapter", null),
                bundle, 1);
        String path = fx.dir.resolve("scored-retried.parquet").toString();
        out.write().parquet(path);
        Dataset<Row> back = spark.read().parquet(path);
        assertEquals(ROWS, back.select("id").distinct().count(), "every id once");
        assertProbabilities(byIndex(back.collectAsList()), predictPath());
    }

    @Test
    void baseEmbeddingsEqualThePooledOutput() throws Exception {
        Dataset<Row> out = new SparkScorer(spark).score(input, spec(ScoreSpec.Output.EMBEDDING, null, null),
                AdapterBundle.none());
        Row[] got = byIndex(out.collectAsList());
        PeftModel m = PeftModel.of(BertOnnx.load(fx.onnx));
        try (TokenBatcher tok = TokenBatcher.fromTokenizerJson(fx.tokenizer, 16)) {
            Batch b = tok.encode(texts);
            float[][] want = m.pooled(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray()).toFloatMatrix();
            double maxErr = 0;
            for (int i = 0; i < ROWS; i++) {
                float[] e = values(got[i]);
                assertEquals(32, e.length);
                for (int d = 0; d < e.length; d++) {
                    maxErr = Math.max(maxErr, Math.abs(e[d] - want[i][d]));
                }
            }
            assertTrue(maxErr < 1e-5, "max |embedding - pooled| = " + maxErr);
        }
    }

    @Test
    void theBuiltInModelIsResolvedOnTheExecutors() throws Exception {
        Dataset<Row> few = input.limit(6);
        List<Row> rows = few.collectAsList();
        Dataset<Row> out = new SparkScorer(spark).score(few, new ScoreSpec("all-minilm-l6-v2", null, null, "text", "id",
                null, null, ScoreSpec.Output.EMBEDDING, 16, 8, 1), AdapterBundle.none());
        java.util.Map<Long, float[]> got = new java.util.HashMap<>();
        out.collectAsList().forEach(r -> got.put(r.getLong(0), values(r)));
        assertEquals(rows.size(), got.size());
        PeftModel m = PeftModel.of(dev.hora.spark.Backbones.load("all-minilm-l6-v2", null));
        try (TokenBatcher tok = dev.hora.spark.Backbones.tokenizer("all-minilm-l6-v2", null, 16)) {
            for (Row r : rows) {
                Batch b = tok.encode(List.of(r.getString(1)));
                float[] want = m.pooled(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray()).toFloatVector();
                float[] e = got.get(r.getLong(0));
                assertEquals(384, e.length);
                for (int d = 0; d < e.length; d++) {
                    assertEquals(want[d], e[d], 1e-5, "id " + r.getLong(0) + " dim " + d);
                }
            }
        }
        Exception e = assertThrows(Exception.class, () -> new SparkScorer(spark).score(few, new ScoreSpec(
                "no-such:model:1.0", null, null, "text", "id", null, null, ScoreSpec.Output.EMBEDDING, 16, 8, 1),
                AdapterBundle.none()).collectAsList());
        assertTrue(String.valueOf(e.getMessage()).contains("cannot resolve the model no-such:model:1.0"), e.getMessage());
    }

    @Test
    void aMergedModelScoresLikeItsAdapter() throws Exception {
        PeftModel m = PeftModel.of(BertOnnx.load(fx.onnx));
        m.loadAdapter("mh", fx.adapters.get("mh"));
        java.nio.file.Path merged = fx.dir.resolve("mh.merged");
        m.merge("mh").save(merged);
        Dataset<Row> out = new SparkScorer(spark).score(input, new ScoreSpec(null, fx.tokenizer.toString(),
                merged.toString(), "text", "id", null, null, ScoreSpec.Output.PROBABILITIES, 16, 8, 1), AdapterBundle.none());
        Row[] got = byIndex(out.collectAsList());
        m.setActiveAdapter("mh");
        try (TokenBatcher tok = TokenBatcher.fromTokenizerJson(fx.tokenizer, 16)) {
            float[][] want = ((Classifier) m::predictProba).probabilities(tok, texts, 64);
            for (int i = 0; i < ROWS; i++) {
                float[] p = values(got[i]);
                for (int c = 0; c < p.length; c++) {
                    assertEquals(want[i][c], p[c], 1e-5, "row " + i);
                }
            }
        }
    }

    @Test
    void badColumnsAndAdaptersAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparkScorer(spark)
                .score(input, new ScoreSpec(fx.onnx.toString(), fx.tokenizer.toString(), null, "body", "id", null, "lora",
                        ScoreSpec.Output.PROBABILITIES, 16, 8, 1), AdapterBundle.read(fx.adapters)));
        assertTrue(e.getMessage().contains("'body'") && e.getMessage().contains("text"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SparkScorer(spark).score(input,
                spec(ScoreSpec.Output.PROBABILITIES, null, "nope"), AdapterBundle.read(fx.adapters)));
        assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AdapterBundle.read(Map.of("../x", fx.adapters.get("lora"))));
    }
}
