package dev.hora.spark.score;

import java.util.Arrays;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.reflect.ClassTag$;

/**
 * Batch scoring of a DataFrame of texts on Spark:
 * <pre>
 *   in:  [id, text, (adapter)]  any other columns are ignored
 *   out: [id, adapter, prediction, probabilities float[n]]     (Output.PROBABILITIES; prediction = argmax)
 *        [id, adapter, prediction = null, embedding float[d]] (Output.EMBEDDING: the pooled encoder output)
 * </pre>
 * The adapters travel once per executor as a broadcast {@link AdapterBundle}; each executor loads the backbone
 * once ({@link ExecutorModels}) and every task scores its partition in batches ({@link PartitionScorer}).
 * One output row per input row: a failed task is retried by Spark and recomputes its partition from the start
 * (the scoring is deterministic), so the written result holds no duplicate and misses no row. Lazy: nothing
 * runs until the result is written or collected.
 */
public final class SparkScorer {
    private final SparkSession spark;

    public SparkScorer(SparkSession spark) {
        this.spark = spark;
    }

    /** Scores {@code in} ({@link ScoreSpec}: columns, model, output). */
    public Dataset<Row> score(Dataset<Row> in, ScoreSpec spec, AdapterBundle adapters) {
        return score(in, spec, adapters, -1);
    }

    /** {@link #score} with a test hook: every task's first attempt fails after {@code failAfterBatches} batches. */
    Dataset<Row> score(Dataset<Row> in, ScoreSpec spec, AdapterBundle adapters, int failAfterBatches) {
        StructType schema = in.schema();
        int text = column(schema, spec.textColumn(), "text");
        int id = column(schema, spec.idColumn(), "id");
        int adapter = spec.adapterColumn() == null ? -1 : column(schema, spec.adapterColumn(), "adapter");
        if (!schema.fields()[text].dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("text column '" + spec.textColumn() + "' is "
                    + schema.fields()[text].dataType().simpleString() + ", expected string");
        }
        if (adapter >= 0 && !schema.fields()[adapter].dataType().equals(DataTypes.StringType)) {
            throw new IllegalArgumentException("adapter column '" + spec.adapterColumn() + "' is "
                    + schema.fields()[adapter].dataType().simpleString() + ", expected string (adapter names)");
        }
        if (spec.adapter() != null && !adapters.names().contains(spec.adapter())) {
            throw new IllegalArgumentException("adapter '" + spec.adapter() + "' is not among the adapters given: "
                    + adapters.names());
        }
        Broadcast<AdapterBundle> b = spark.sparkContext().broadcast(adapters,
                ClassTag$.MODULE$.apply(AdapterBundle.class));
        StructType out = new StructType(new StructField[]{
            schema.fields()[id],
            DataTypes.createStructField("adapter", DataTypes.StringType, true),
            DataTypes.createStructField("prediction", DataTypes.IntegerType, true),
            DataTypes.createStructField(spec.output() == ScoreSpec.Output.EMBEDDING ? "embedding" : "probabilities",
                    DataTypes.createArrayType(DataTypes.FloatType, false), false)});
        MapPartitionsFunction<Row, Row> f = rows -> new PartitionScorer(rows, spec, b.value(), text, id, adapter,
                failAfterBatches);
        return in.mapPartitions(f, Encoders.row(out));
    }

    private static int column(StructType schema, String name, String what) {
        try {
            return schema.fieldIndex(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("no " + what + " column '" + name + "'; the input has "
                    + Arrays.toString(schema.fieldNames()));
        }
    }
}
