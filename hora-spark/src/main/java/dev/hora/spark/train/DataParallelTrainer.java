package dev.hora.spark.train;

import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Function1;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Data-parallel adapter training on Spark's barrier execution mode: {@code workers} tasks started together,
 * one per shard ({@link Shards}), each running {@link TrainWorker}; every step they all-reduce the adapter
 * gradient ({@link BarrierExchange}) and apply the same update, so all hold the same adapter, which equals
 * one process training on the global batch. Worker 0 writes the atomic checkpoint. Spark does not retry a
 * failed barrier result stage (it aborts the job), so this driver reruns the job, up to {@code maxAttempts}
 * times in all, and the new tasks resume from the last checkpoint.
 */
public final class DataParallelTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(DataParallelTrainer.class);
    private final SparkSession spark;
    private final int workers;
    private final int maxAttempts;

    /** Everything the run returned: each worker's result (of the last, successful job) and the jobs started. */
    public record Result(List<WorkerResult> workers, int attempts) implements Serializable {
        /** The trained adapter and head, flattened in trainable order (the same on every worker). */
        public float[] params() {
            return workers.get(0).params();
        }
    }

    /**
     * @param workers     barrier tasks, one per shard; the cluster needs that many free task slots at once
     * @param maxAttempts jobs in all (1: no resume after a failure)
     */
    public DataParallelTrainer(SparkSession spark, int workers, int maxAttempts) {
        if (workers < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("workers and maxAttempts must be >= 1, got " + workers + ", " + maxAttempts);
        }
        this.spark = spark;
        this.workers = workers;
        this.maxAttempts = maxAttempts;
    }

    /** Trains on the rows of {@code data} (a string column and an integer label column, 0..n-1). */
    public Result fit(Dataset<Row> data, String textColumn, String labelColumn, TrainSpec spec) throws IOException {
        return fit(data, textColumn, labelColumn, spec, -1);
    }

    /** {@link #fit} with a test hook: in the first job, worker 1 throws before step {@code failAtStep}. */
    Result fit(Dataset<Row> data, String textColumn, String labelColumn, TrainSpec spec, int failAtStep)
            throws IOException {
        if (spec.batchSize() < workers) {
            throw new IllegalArgumentException("batch size " + spec.batchSize() + " < " + workers + " workers: every "
                    + "worker needs at least one row of each global batch");
        }
        JavaRDD<LabelledText> shards = shard(data, textColumn, labelColumn, spec.batchSize());
        long n = shards.count();
        if (n == 0) {
            throw new IllegalArgumentException("fewer rows than one global batch of " + spec.batchSize());
        }
        long batches = n / spec.batchSize();
        TrainingModel init = TrainingModel.build(spec, o -> o);
        if (!init.resume(spec)) {
            init.save(spec);   // step 0: every worker starts from the driver's draw
        }
        for (int attempt = 1; ; attempt++) {
            int fail = attempt == 1 ? failAtStep : -1;
            try {
                List<WorkerResult> r = runJob(shards, spec, batches, fail);
                check(r);
                return new Result(r, attempt);
            } catch (Exception e) {   // a failed job surfaces as a SparkException (checked, thrown undeclared)
                if (attempt >= maxAttempts || e instanceof WorkersDisagree) {
                    throw e;
                }
                LOG.warn("data-parallel job attempt {} failed ({}); resuming from the checkpoint in {}", attempt,
                        e.getMessage(), spec.checkpointDir());
            }
        }
    }

    private JavaRDD<LabelledText> shard(Dataset<Row> data, String text, String label, int batchSize) {
        int w = workers;
        long[] count = {data.count()};
        long usable = count[0] - count[0] % batchSize;
        return data.select(text, label).javaRDD().zipWithIndex()
                .filter(t -> t._2() < usable)
                .mapToPair(t -> {
                    if (t._1().isNullAt(0) || t._1().isNullAt(1)) {
                        throw new IllegalArgumentException("row " + t._2() + ": '" + text + "' or '" + label + "' is null");
                    }
                    return new Tuple2<>(Shards.worker(t._2(), batchSize, w),
                            new LabelledText(t._2(), t._1().getString(0), ((Number) t._1().get(1)).intValue()));
                })
                .partitionBy(new HashPartitioner(w)).values();
    }

    @SuppressWarnings("unchecked")
    private static List<WorkerResult> runJob(JavaRDD<LabelledText> shards, TrainSpec spec, long batches, int fail) {
        ClassTag<WorkerResult> tag = ClassTag$.MODULE$.apply(WorkerResult.class);
        Function1<scala.collection.Iterator<LabelledText>, scala.collection.Iterator<WorkerResult>> body =
                (Function1<scala.collection.Iterator<LabelledText>, scala.collection.Iterator<WorkerResult>> & Serializable)
                        it -> {
                            try {
                                return CollectionConverters.asScala(TrainWorker.run(spec, CollectionConverters.asJava(it),
                                        batches, fail));
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        };
        return JavaRDD.fromRDD(shards.rdd().barrier().mapPartitions(body, false, tag), tag).collect();
    }

    /** The workers ended with different adapters: a bug, never retried. */
    static final class WorkersDisagree extends IllegalStateException {
        WorkersDisagree(String message) {
            super(message);
        }
    }

    /** Every worker must end with the same adapter, bit for bit. */
    private void check(List<WorkerResult> r) {
        if (r.size() != workers) {
            throw new WorkersDisagree(r.size() + " worker results, expected " + workers);
        }
        for (WorkerResult w : r) {
            if (!Arrays.equals(w.params(), r.get(0).params())) {
                throw new WorkersDisagree("worker " + w.worker() + " ended with another adapter than worker "
                        + r.get(0).worker() + ": the all-reduce is broken");
            }
        }
    }
}
