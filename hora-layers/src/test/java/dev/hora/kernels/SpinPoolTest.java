package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The kernel path's worker threads: every part exactly once, failures rethrown, no deadlock when nested or shared. */
class SpinPoolTest {
    @Test
    void everyPartRunsExactlyOnceOverManySections() {
        SpinPool pool = new SpinPool(3);
        try {
            for (int section = 0; section < 20_000; section++) {
                int n = 1 + section % 7;
                AtomicIntegerArray runs = new AtomicIntegerArray(n);
                pool.run(n, runs::incrementAndGet);
                for (int t = 0; t < n; t++) {
                    assertEquals(1, runs.get(t), "section " + section + " part " + t);
                }
            }
        } finally {
            pool.close();
        }
    }

    @Test
    void workersReallyRunParts() {
        SpinPool pool = new SpinPool(2);
        try {
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 200 && names.size() < 2; i++) {
                pool.run(2, t -> {
                    names.add(Thread.currentThread().getName());
                    long end = System.nanoTime() + 200_000;
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                });
            }
            assertTrue(names.contains("hora-kernel-1"), "a worker took a part: " + names);
        } finally {
            pool.close();
        }
    }

    @Test
    void failureIsRethrownAndThePoolStaysUsable() {
        SpinPool pool = new SpinPool(2);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(4, t -> {
                if (t == 3) {
                    throw new IllegalStateException("part 3");
                }
            }));
            assertEquals("part 3", e.getMessage());
            AtomicLong sum = new AtomicLong();
            pool.run(4, sum::addAndGet);
            assertEquals(6, sum.get());
        } finally {
            pool.close();
        }
    }

    @Test
    void nestedAndConcurrentSectionsRunOnTheCaller() throws Exception {
        SpinPool pool = new SpinPool(2);
        try {
            AtomicLong sum = new AtomicLong();
            Runnable job = () -> {
                for (int i = 0; i < 2_000; i++) {
                    pool.run(3, t -> pool.run(2, u -> sum.incrementAndGet()));
                }
            };
            Thread other = new Thread(job);
            other.start();
            job.run();
            other.join(60_000);
            assertEquals(2L * 2_000 * 3 * 2, sum.get());
        } finally {
            pool.close();
        }
    }
}
