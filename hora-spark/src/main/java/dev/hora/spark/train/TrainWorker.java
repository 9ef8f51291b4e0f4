package dev.hora.spark.train;

import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.BarrierTaskContext;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of one barrier task: worker {@code w} = its partition, holding its shard ({@link Shards}).
 * <pre>
 *   model, trainer <- TrainingModel.build(spec, AllReduceObjective over BarrierExchange)
 *   restore the run's checkpoint (the driver wrote step 0; worker 0 the later ones)
 *   for t = checkpoint step .. steps-1:
 *       feed = this shard's rows of global batch (t mod E)
 *       trainer.step(feed)          local gradient -> all-reduce (barrier) -> the same Adam update everywhere
 *       worker 0: atomic checkpoint after every checkpointEvery-th step and the last
 * </pre>
 */
final class TrainWorker {
    private static final Logger LOG = LoggerFactory.getLogger(TrainWorker.class);

    private TrainWorker() {
    }

    /**
     * @param failAtStep test hook: worker 1 throws before step {@code failAtStep} (-1: never)
     */
    static Iterator<WorkerResult> run(TrainSpec spec, Iterator<LabelledText> rows, long batchesPerEpoch, int failAtStep)
            throws IOException {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int w = ctx.partitionId();
        TreeMap<Long, List<LabelledText>> byBatch = new TreeMap<>();
        rows.forEachRemaining(r -> byBatch.computeIfAbsent(r.index() / spec.batchSize(), k -> new ArrayList<>()).add(r));
        byBatch.values().forEach(l -> l.sort(Comparator.comparingLong(LabelledText::index)));
        GradientExchange exchange = spec.exchange() == GradientExchange.Kind.SOCKET ? new SocketExchange(ctx)
                : new BarrierExchange(ctx);
        try {
            return train(spec, w, byBatch, exchange, batchesPerEpoch, failAtStep);
        } finally {
            if (exchange instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing the exchange", e);
                }
            }
        }
    }

    private static Iterator<WorkerResult> train(TrainSpec spec, int w, TreeMap<Long, List<LabelledText>> byBatch,
                                                GradientExchange exchange, long batchesPerEpoch, int failAtStep)
            throws IOException {
        TrainingModel tm = TrainingModel.build(spec, o -> new AllReduceObjective(o, exchange));
        if (!tm.resume(spec)) {
            throw new IOException(Path.of(spec.checkpointDir()) + ": no checkpoint; the driver writes the initial one "
                    + "(is the folder shared by the driver and the workers?)");
        }
        int first = tm.trainer().iteration();
        float[] losses = new float[Math.max(0, spec.steps() - first)];
        long t0 = System.nanoTime();
        try (TokenBatcher tok = dev.hora.spark.Backbones.tokenizer(spec.model(), spec.tokenizer(), spec.maxLength())) {
            for (int t = first; t < spec.steps(); t++) {
                if (t == failAtStep && w == 1) {
                    throw new IllegalStateException("test hook: worker 1 killed before step " + t);
                }
                List<LabelledText> mine = byBatch.get(Shards.batchOf(t, batchesPerEpoch));
                if (mine == null || mine.isEmpty()) {
                    throw new IllegalStateException("worker " + w + " holds no row of global batch "
                            + Shards.batchOf(t, batchesPerEpoch) + ": batch size " + spec.batchSize()
                            + " must be >= the number of workers");
                }
                Map<String, INDArray> feed = TrainingModel.feed(tok, mine.stream().map(LabelledText::text).toList(),
                        mine.stream().mapToInt(LabelledText::label).toArray(), spec.numClasses());
                losses[t - first] = tm.trainer().step(feed);
                if (w == 0 && ((t + 1) % spec.checkpointEvery() == 0 || t + 1 == spec.steps())) {
                    tm.save(spec);
                }
            }
        }
        long total = System.nanoTime() - t0;
        LOG.info("worker {}: steps {}..{} in {} ms, all-reduce {} ms", w, first, spec.steps() - 1, total / 1_000_000,
                exchange.nanos() / 1_000_000);
        return List.of(new WorkerResult(w, first, tm.trainer().trainable(), tm.flatParams(), losses,
                total - exchange.nanos(), exchange.nanos(), exchange.bytesSent())).iterator();
    }
}
