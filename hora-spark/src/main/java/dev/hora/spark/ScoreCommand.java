package dev.hora.spark;

import dev.hora.spark.score.AdapterBundle;
import dev.hora.spark.score.ScoreSpec;
import dev.hora.spark.score.SparkScorer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * {@code hora-spark score}: reads texts (Parquet or CSV), scores them ({@link SparkScorer}) and writes
 * {@code id, adapter, prediction, probabilities|embedding}. Without the id column in the input, {@code id} is
 * added ({@code monotonically_increasing_id}: unique and increasing in input order). An adapter argument may
 * be an adapter folder or a {@code hora finetune} run directory (its {@code adapter/} folder is used).
 */
final class ScoreCommand {
    private ScoreCommand() {
    }

    static Args parse(String[] argv) {
        return new Args(argv, Set.of("--master", "--model", "--tokenizer", "--merged", "--adapter", "--adapter-column",
                "--use", "--input", "--input-format", "--output", "--output-format", "--text-column", "--id-column",
                "--max-length", "--batch-size", "--threads-per-task", "--partitions"), Set.of("--embeddings"));
    }

    static int run(SparkSession spark, Args a) throws IOException {
        Map<String, Path> folders = new LinkedHashMap<>();
        for (String s : a.all("--adapter")) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--adapter '" + s + "': expected NAME=FOLDER");
            }
            Path dir = Path.of(s.substring(eq + 1));
            folders.put(s.substring(0, eq), Files.isDirectory(dir.resolve("adapter")) ? dir.resolve("adapter") : dir);
        }
        String id = a.get("--id-column", "id");
        ScoreSpec spec = new ScoreSpec(a.get("--model", null), a.get("--tokenizer", null), a.get("--merged", null),
                a.get("--text-column", "text"), id, a.get("--adapter-column", null), a.get("--use", null),
                a.flag("--embeddings") ? ScoreSpec.Output.EMBEDDING : ScoreSpec.Output.PROBABILITIES,
                a.integer("--max-length", 64), a.integer("--batch-size", 64), a.integer("--threads-per-task", 1));
        Dataset<Row> in = Tables.read(spark, a.required("--input"), a.get("--input-format", null));
        if (!Arrays.asList(in.columns()).contains(id)) {
            in = in.withColumn(id, functions.monotonically_increasing_id());
        }
        int partitions = a.integer("--partitions", 0);
        if (partitions > 0) {
            in = in.repartition(partitions);
        }
        Dataset<Row> out = new SparkScorer(spark).score(in, spec, AdapterBundle.read(folders));
        Tables.write(out, a.required("--output"), a.get("--output-format", null));
        return 0;
    }
}
