package dev.hora.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.fit.Classifier;
import dev.hora.onnx.BertOnnx;
import dev.hora.peft.PeftModel;
import dev.hora.text.TokenBatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The commands of {@code bin/hora-spark} / spark-submit: {@code score} from CSV (no id column: one is added)
 * to CSV against the predict path, and {@code train} writing an adapter folder that loads and scores.
 */
class HoraSparkCommandTest {
    private static SparkFixtures fx;
    private static SparkSession spark;

    @BeforeAll
    static void setUp() throws Exception {
        fx = new SparkFixtures();
        spark = SparkFixtures.spark();
    }

    @AfterAll
    static void tearDown() {
        spark.stop();
    }

    static int run(String command, String... argv) throws Exception {
        Args a = command.equals("score") ? ScoreCommand.parse(argv) : TrainCommand.parse(argv);
        return HoraSpark.run(spark, command, a);
    }

    @Test
    void scoreCsvToCsvEqualsThePredictPath() throws Exception {
        List<String> texts = SparkFixtures.texts(25, 5);
        StringBuilder csv = new StringBuilder("text\n");
        texts.forEach(t -> csv.append('"').append(t).append("\"\n"));
        Path in = Files.writeString(fx.dir.resolve("texts.csv"), csv);
        Path out = fx.dir.resolve("scored.csv");
        assertEquals(0, run("score", "--model", fx.onnx.toString(), "--tokenizer", fx.tokenizer.toString(),
                "--adapter", "hora=" + fx.adapters.get("hora"), "--use", "hora", "--max-length", "16",
                "--batch-size", "4", "--input", in.toString(), "--output", out.toString()));
        List<Row> rows = new ArrayList<>(spark.read().option("header", "true").csv(out.toString())
                .orderBy(org.apache.spark.sql.functions.col("id").cast("long")).collectAsList());
        assertEquals(texts.size(), rows.size());
        PeftModel m = PeftModel.of(BertOnnx.load(fx.onnx));
        m.loadAdapter("hora", fx.adapters.get("hora"));
        float[][] want;
        try (TokenBatcher tok = TokenBatcher.fromTokenizerJson(fx.tokenizer, 16)) {
            want = ((Classifier) m::predictProba).probabilities(tok, texts, 64);
        }
        for (int i = 0; i < texts.size(); i++) {
            String[] p = rows.get(i).getAs("probabilities").toString().split(";");
            assertEquals(3, p.length);
            for (int c = 0; c < 3; c++) {
                assertEquals(want[i][c], Float.parseFloat(p[c]), 1e-6, "row " + i + " class " + c);
            }
        }
    }

    @Test
    void trainWritesAnAdapterFolderThatScores() throws Exception {
        StringBuilder csv = new StringBuilder("text,label\n");
        List<String> texts = SparkFixtures.texts(16, 9);
        for (String t : texts) {
            csv.append(t).append(',').append(t.contains("w1") ? 1 : 0).append('\n');
        }
        Path in = Files.writeString(fx.dir.resolve("train.csv"), csv);
        Path adapter = fx.dir.resolve("trained-adapter");
        assertEquals(0, run("train", "--model", fx.onnx.toString(), "--tokenizer", fx.tokenizer.toString(),
                "--input", in.toString(), "--workers", "2", "--steps", "4", "--batch-size", "8", "--lr", "1e-2",
                "--rank", "2", "--max-length", "16", "--checkpoint-dir", fx.dir.resolve("ckpt").toString(),
                "--output", adapter.toString()));
        PeftModel m = PeftModel.of(BertOnnx.load(fx.onnx));
        m.loadAdapter("t", adapter);
        assertEquals(2, m.adapter("t").numClasses());
        assertTrue(Files.isRegularFile(fx.dir.resolve("ckpt").resolve("checkpoint.safetensors")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run("train", "--model", fx.onnx.toString(), "--steps"));
        assertTrue(e.getMessage().contains("--steps"), e.getMessage());
    }
}
