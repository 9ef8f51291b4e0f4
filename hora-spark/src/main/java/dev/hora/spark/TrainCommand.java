package dev.hora.spark;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.PeftModel;
import dev.hora.spark.train.DataParallelTrainer;
import dev.hora.spark.train.GradientExchange;
import dev.hora.spark.train.TrainSpec;
import dev.hora.spark.train.TrainingModel;
import dev.hora.spark.train.WorkerResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code hora-spark train}: data-parallel adapter training ({@link DataParallelTrainer}) on a table of
 * {@code text} and integer {@code label} (0..n-1), then the adapter folder (with its head) written by the driver,
 * which {@code score --adapter NAME=DIR} and {@link PeftModel#loadAdapter} read. Prints the final loss and the
 * time per step, split into compute and all-reduce.
 */
final class TrainCommand {
    private TrainCommand() {
    }

    static Args parse(String[] argv) {
        return new Args(argv, Set.of("--master", "--model", "--tokenizer", "--input", "--input-format", "--text-column",
                "--label-column", "--num-classes", "--adapter-kind", "--rank", "--pooling", "--workers", "--steps",
                "--batch-size", "--lr", "--warmup", "--seed", "--checkpoint-dir", "--checkpoint-every",
                "--threads-per-task", "--exchange", "--max-length", "--max-attempts", "--output"), Set.of());
    }

    static int run(org.apache.spark.sql.SparkSession spark, Args a) throws IOException {
        AdapterConfig config = AdapterConfig.builder().kind(AdapterKind.parse(a.get("--adapter-kind", "hora")))
                .rank(a.integer("--rank", 8)).build();
        TrainSpec spec = new TrainSpec(a.required("--model"), a.get("--tokenizer", null), a.integer("--max-length", 64),
                config, Pooling.valueOf(a.get("--pooling", "mean").toUpperCase(Locale.ROOT)),
                a.integer("--num-classes", 2), a.integer("--steps", 100), a.integer("--batch-size", 32),
                a.number("--lr", 1e-3), a.integer("--warmup", 0), a.integer("--seed", 42), a.required("--checkpoint-dir"),
                a.integer("--checkpoint-every", 50), a.integer("--threads-per-task", 1),
                GradientExchange.Kind.valueOf(a.get("--exchange", "socket").toUpperCase(Locale.ROOT).replace('-', '_')));
        int workers = a.integer("--workers", 2);
        DataParallelTrainer.Result r = new DataParallelTrainer(spark, workers, a.integer("--max-attempts", 3))
                .fit(Tables.read(spark, a.required("--input"), a.get("--input-format", null)),
                        a.get("--text-column", "text"), a.get("--label-column", "label"), spec);
        TrainingModel tm = TrainingModel.build(spec, o -> o);
        tm.trainer().setParams(unflatten(tm.trainer().params(), r.params()));
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < spec.numClasses(); c++) {
            labels.add(Integer.toString(c));
        }
        tm.model().saveAdapter(PeftModel.DEFAULT, Path.of(a.required("--output")), spec.model(), labels,
                spec.maxLength());
        WorkerResult w0 = r.workers().get(0);
        int steps = Math.max(1, w0.losses().length);
        System.out.printf(Locale.ROOT, "trained %d steps on %d workers (%d job attempts); last loss %.4f; per step: "
                        + "compute %.1f ms, all-reduce %.1f ms (worker 0); adapter written to %s%n", w0.losses().length,
                workers, r.attempts(), w0.losses().length == 0 ? Double.NaN : w0.losses()[w0.losses().length - 1],
                w0.computeNanos() / 1e6 / steps, w0.allReduceNanos() / 1e6 / steps, a.required("--output"));
        return 0;
    }

    /** Flat values in the order of {@code like} back into arrays of its shapes. */
    static Map<String, INDArray> unflatten(Map<String, INDArray> like, float[] flat) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        int at = 0;
        for (Map.Entry<String, INDArray> e : like.entrySet()) {
            int n = Math.toIntExact(e.getValue().length());
            out.put(e.getKey(), Nd4j.createFromArray(java.util.Arrays.copyOfRange(flat, at, at + n))
                    .reshape('c', e.getValue().shape()).castTo(e.getValue().dataType()));
            at += n;
        }
        if (at != flat.length) {
            throw new IllegalStateException("the workers returned " + flat.length + " values, the adapter has " + at);
        }
        return out;
    }
}
