package dev.hora.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The worker threads behind {@link Parallel}: {@code n - 1} daemon threads that spin briefly after each section
 * ({@code -Dhora.spin.micros}, as an OpenMP runtime does), then park.
 * <pre>
 *   run(parts, body):  publish a Section (body, parts, its own counters), unpark the workers
 *                      caller and workers claim parts 0..parts-1 from the section's counter
 *                      the caller waits (spinning) until every part has finished
 *   worker:            spin up to SPIN_NANOS for a new section, then park until unparked
 * </pre>
 * One section runs at a time; a call from inside a section, or while another thread's section runs,
 * runs its parts on the calling thread (never a deadlock, never more threads than configured). The
 * first exception of any part is rethrown by {@link #run}.
 */
final class SpinPool {
    /**
     * How long an idle worker spins before it parks ({@code -Dhora.spin.micros}, default 50; 0 parks at once and
     * leaves the core to other work sooner). A parked worker took 16-18 us to wake on the 2-core Zen 5 VM, and a
     * one-request forward (1 x 12 tokens) has ~30 sections of 50-150 us: in-process A/B, blocks alternating
     * (2026-12-08), its median went 3.09 -> 2.61 ms with 50 us (2.51 with 200; 8 x 16 18.9 -> 18.1 ms; 8 x 32 tie);
     * {@code hora serve} at c=1, four alternating rounds: p50 3.07-3.83 against 3.50-4.01 ms, c=8 1.02-1.20x. An
     * earlier build (session 9) measured the opposite, 200 us slowing that forward; it allocated far more per pass.
     */
    static final long SPIN_NANOS = Long.getLong("hora.spin.micros", 50) * 1000;
    private final Thread[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Section current;
    private volatile boolean closed;

    /** One parallel section: its parts and counters (a late worker can only claim from the one it saw). */
    private static final class Section {
        final IntConsumer body;
        final int parts;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger unfinished;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Section(IntConsumer body, int parts) {
            this.body = body;
            this.parts = parts;
            this.unfinished = new AtomicInteger(parts);
        }

        void claim() {
            for (int t = next.getAndIncrement(); t < parts; t = next.getAndIncrement()) {
                try {
                    body.accept(t);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    unfinished.decrementAndGet();
                }
            }
        }
    }

    SpinPool(int threads) {
        workers = new Thread[Math.max(0, threads - 1)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Thread(this::work, "hora-kernel-" + (i + 1));
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    /** Threads a section uses, the caller included. */
    int threads() {
        return workers.length + 1;
    }

    /** Runs {@code task(0..n-1)} on the caller and the workers; returns when all are done. */
    void run(int n, IntConsumer task) {
        if (n <= 1 || workers.length == 0 || !lock.tryLock()) {
            for (int t = 0; t < n; t++) {
                task.accept(t);
            }
            return;
        }
        try {
            Section s = new Section(task, n);
            current = s;
            for (Thread w : workers) {
                LockSupport.unpark(w);                 // a running worker keeps the permit: one spurious wake
            }
            s.claim();
            while (s.unfinished.get() > 0) {
                Thread.onSpinWait();
            }
            Throwable f = s.failure.get();
            if (f instanceof RuntimeException e) {
                throw e;
            } else if (f instanceof Error e) {
                throw e;
            } else if (f != null) {
                throw new IllegalStateException(f);
            }
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        Section seen = current;
        while (!closed) {
            long start = System.nanoTime();
            while (current == seen && System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            }
            while (current == seen && !closed) {
                LockSupport.park(this);
            }
            seen = current;
            if (seen != null) {
                seen.claim();
            }
        }
    }

    /** Stops the workers (a pool replaced by {@link Parallel#threads(int)}). */
    void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
