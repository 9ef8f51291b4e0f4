package dev.hora.spark;

import java.io.IOException;
import java.util.Arrays;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code spark-submit}-able entry point (and {@code bin/hora-spark}'s), two commands:
 * <pre>
 *   score  --model M.onnx --tokenizer T.json (--adapter NAME=DIR ... (--adapter-column C | --use NAME) | --merged F)
 *          [--embeddings] --input IN.{parquet,csv} --output OUT.{parquet,csv}      ({@link ScoreCommand})
 *   train  --model M.onnx --tokenizer T.json --input IN --workers W --steps N --batch-size B --checkpoint-dir D
 *          --output ADAPTER_DIR                                                     ({@link TrainCommand})
 * </pre>
 * {@code --master local[N]} sets the master (spark-submit passes its own otherwise). Exit status 2 on bad
 * arguments (the message names the option), 1 on a failed job.
 */
public final class HoraSpark {
    private HoraSpark() {
    }

    public static void main(String[] argv) {
        if (argv.length == 0 || !(argv[0].equals("score") || argv[0].equals("train"))) {
            System.err.println("usage: hora-spark score|train [--master local[N]] OPTIONS (see the README)");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        int status;
        try {
            status = run(argv[0], rest);
        } catch (IllegalArgumentException e) {
            System.err.println("hora-spark " + argv[0] + ": " + e.getMessage());
            status = 2;
        } catch (Exception e) {
            System.err.println("hora-spark " + argv[0] + ": failed: " + e);
            status = 1;
        }
        System.exit(status);
    }

    /** Runs a command in a session of its own (closed at the end); returns the exit status. */
    public static int run(String command, String[] argv) throws Exception {
        Args a = command.equals("score") ? ScoreCommand.parse(argv) : TrainCommand.parse(argv);
        SparkSession.Builder b = SparkSession.builder().appName("hora-spark " + command);
        if (a.get("--master", null) != null) {
            b.master(a.get("--master", null));
        }
        SparkSession spark = b.getOrCreate();
        try {
            return run(spark, command, a);
        } finally {
            spark.stop();
        }
    }

    /** Runs a command in {@code spark} (left open). */
    static int run(SparkSession spark, String command, Args a) throws IOException {
        return command.equals("score") ? ScoreCommand.run(spark, a) : TrainCommand.run(spark, a);
    }
}
