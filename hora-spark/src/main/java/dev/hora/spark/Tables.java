package dev.hora.spark;

import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;

/**
 * Parquet and CSV in and out. The format is the file name's extension ({@code .parquet}, {@code .csv}) unless
 * given; CSV has a header row. Array columns (probabilities, embeddings) are written to CSV as one string of
 * {@code ;}-separated numbers.
 */
final class Tables {
    private Tables() {
    }

    static String format(String path, String given) {
        String f = given != null ? given.toLowerCase(Locale.ROOT)
                : path.toLowerCase(Locale.ROOT).replaceAll("/+$", "").endsWith(".csv") ? "csv" : "parquet";
        if (!f.equals("csv") && !f.equals("parquet")) {
            throw new IllegalArgumentException("format '" + f + "' of " + path + ": allowed csv or parquet");
        }
        return f;
    }

    static Dataset<Row> read(SparkSession spark, String path, String format) {
        return format(path, format).equals("csv")
                ? spark.read().option("header", "true").option("inferSchema", "true").option("multiLine", "true")
                    .option("escape", "\"").csv(path)
                : spark.read().parquet(path);
    }

    static void write(Dataset<Row> df, String path, String format) {
        if (format(path, format).equals("csv")) {
            for (StructField f : df.schema().fields()) {
                if (f.dataType() instanceof ArrayType) {
                    Column c = functions.array_join(functions.col(f.name()).cast("array<string>"), ";");
                    df = df.withColumn(f.name(), c);
                }
            }
            df.write().option("header", "true").option("escape", "\"").csv(path);
        } else {
            df.write().parquet(path);
        }
    }
}
