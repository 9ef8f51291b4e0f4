package dev.hora.serve;

import dev.hora.peft.PeftModel;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forms forward passes from queued requests of any adapters:
 * <pre>
 *   take the oldest request; add later ones of the same group (output, head size) while
 *   rows x longest row <= maxBatchTokens; wait up to maxWait for more only while other admitted
 *   requests are still on their way to the queue (a lone request runs at once)
 *   one PeftModel pass with one adapter name per row (the frozen GEMMs once for all of them)
 * </pre>
 * One worker thread runs the passes (each pass uses every core). {@link #close} drains the queue first.
 */
final class DynamicBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DynamicBatcher.class);
    private final PeftModel model;
    private final int maxBatchTokens;
    private final long maxWaitNanos;
    private final long padId;
    private final IntSupplier arriving;
    private final ArrayDeque<Work> queue = new ArrayDeque<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Thread worker;
    private final DistributionSummary batchRows;
    private final DistributionSummary batchTokens;
    private final Timer queueTime;
    private final Timer inferenceTime;
    private boolean stopped;
    private volatile boolean hurry;

    DynamicBatcher(PeftModel model, int maxBatchTokens, int maxWaitMs, long padId, IntSupplier arriving,
                   MeterRegistry metrics) {
        this.model = model;
        this.maxBatchTokens = maxBatchTokens;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
        this.padId = padId;
        this.arriving = arriving;
        this.batchRows = DistributionSummary.builder("hora_batch_rows").description("texts per forward pass")
                .register(metrics);
        this.batchTokens = DistributionSummary.builder("hora_batch_tokens").description("padded tokens per pass")
                .register(metrics);
        this.queueTime = Timer.builder("hora_queue").description("time a request waited for its forward pass")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.inferenceTime = Timer.builder("hora_inference").description("forward passes (batch in, rows out)")
                .publishPercentiles(0.5, 0.99).register(metrics);
        metrics.gauge("hora_queue_requests", this, DynamicBatcher::queued);
        this.worker = new Thread(this::loop, "hora-batcher");
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues a request; its result completes when its pass ran. */
    void submit(Work w) {
        lock.lock();
        try {
            if (stopped) {
                throw new ApiException(503, "the server is shutting down");
            }
            queue.add(w);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** From now on passes start without waiting for more requests (shutting down). */
    void hurry() {
        hurry = true;
        nudge();
    }

    /** Wakes the worker when a request it may wait for stopped arriving. */
    void nudge() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            List<Work> batch;
            try {
                batch = next();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            run(batch);
        }
    }

    private List<Work> next() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (stopped) {
                    return null;
                }
                changed.await();
            }
            long deadline = queue.peekFirst().enqueuedNanos() + maxWaitNanos;
            while (true) {
                List<Work> picked = new ArrayList<>();
                boolean full = pick(picked);
                long now = System.nanoTime();
                if (full || stopped || hurry || now >= deadline || arriving.getAsInt() == 0) {
                    queue.removeAll(picked);
                    return picked;
                }
                changed.awaitNanos(deadline - now);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The oldest request and later ones of its group that fit; true when one more did not fit. */
    private boolean pick(List<Work> picked) {
        Work first = queue.peekFirst();
        picked.add(first);
        int rows = first.rows();
        int seq = first.seq();
        for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
            Work w = it.next();
            if (w == first || !w.groupKey().equals(first.groupKey())) {
                continue;
            }
            int s = Math.max(seq, w.seq());
            if ((long) (rows + w.rows()) * s > maxBatchTokens) {
                return true;
            }
            picked.add(w);
            rows += w.rows();
            seq = s;
        }
        return (long) rows * seq >= maxBatchTokens;
    }

    private void run(List<Work> batch) {
        long start = System.nanoTime();
        for (Work w : batch) {
            queueTime.record(start - w.enqueuedNanos(), TimeUnit.NANOSECONDS);
        }
        int rows = batch.stream().mapToInt(Work::rows).sum();
        int seq = batch.stream().mapToInt(Work::seq).max().orElse(0);
        long[][] ids = new long[rows][seq];
        long[][] mask = new long[rows][seq];
        long[][] types = new long[rows][seq];
        List<String> names = new ArrayList<>(rows);
        int r = 0;
        for (Work w : batch) {
            for (int i = 0; i < w.rows(); i++, r++) {
                Arrays.fill(ids[r], padId);
                System.arraycopy(w.batch().inputIds()[i], 0, ids[r], 0, w.seq());
                System.arraycopy(w.batch().attentionMask()[i], 0, mask[r], 0, w.seq());
                System.arraycopy(w.batch().tokenTypeIds()[i], 0, types[r], 0, w.seq());
                names.add(w.modelName());
            }
        }
        batchRows.record(rows);
        batchTokens.record((double) rows * seq);
        try {
            INDArray a = Nd4j.createFromArray(ids);
            INDArray m = Nd4j.createFromArray(mask);
            INDArray t = Nd4j.createFromArray(types);
            INDArray out = batch.get(0).output() == Work.Output.PROBABILITIES ? model.predictProba(a, m, t, names)
                    : model.pooled(a, m, t, names);
            float[][] all = out.toFloatMatrix();
            inferenceTime.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            r = 0;
            for (Work w : batch) {
                w.result().complete(Arrays.copyOfRange(all, r, r + w.rows()));
                r += w.rows();
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("forward pass of {} requests failed", batch.size(), e);
            batch.forEach(w -> w.result().completeExceptionally(e));
        }
    }

    /** Stops taking requests, runs every queued one, and ends the worker (waiting up to {@code timeoutMs}). */
    @Override
    public void close() {
        lock.lock();
        try {
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            worker.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
