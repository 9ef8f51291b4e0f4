package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link Broadcast} against ND4J's own row/column-vector methods, on edge shapes, and under collector load. */
class BroadcastTest {
    private static INDArray rnd(long seed, DataType t, long... shape) {
        return Nd4j.randn(seed, shape).castTo(t);
    }

    @Test
    void sameResultsAsNd4jsVectorMethods() {
        for (DataType t : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (long[] nd : new long[][]{{5, 7}, {1, 7}, {5, 1}, {1, 1}}) {
                long n = nd[0];
                long d = nd[1];
                INDArray x = rnd(1, t, n, d);
                for (INDArray row : new INDArray[]{rnd(2, t, 1, d), rnd(2, t, d)}) {
                    assertEquals(x.dup().addiRowVector(row), Broadcast.addRow(x.dup(), row), "addRow " + t + " " + n + "x" + d);
                    assertEquals(x.dup().muliRowVector(row), Broadcast.mulRow(x.dup(), row), "mulRow " + t + " " + n + "x" + d);
                }
                for (INDArray col : new INDArray[]{rnd(3, t, n, 1), rnd(3, t, n)}) {
                    assertEquals(x.dup().subiColumnVector(col.reshape(n, 1)), Broadcast.subColumn(x.dup(), col),
                            "subColumn " + t + " " + n + "x" + d);
                    assertEquals(x.dup().muliColumnVector(col.reshape(n, 1)), Broadcast.mulColumn(x.dup(), col),
                            "mulColumn " + t + " " + n + "x" + d);
                }
            }
        }
    }

    @Test
    void worksInPlaceOnAViewAndReturnsIt() {
        INDArray big = rnd(4, DataType.FLOAT, 6, 9);
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 7));
        INDArray expected = big.dup();
        expected.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 7)).addiRowVector(Nd4j.ones(DataType.FLOAT, 5));
        assertSame(view, Broadcast.addRow(view, Nd4j.ones(DataType.FLOAT, 5)));
        assertEquals(expected, big, "only the view's block changed, by +1");
    }

    @Test
    void mismatchedShapesAreRefusedWithBothShapes() {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 4, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Broadcast.addRow(x, Nd4j.zeros(DataType.FLOAT, 4)));
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("[4, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Broadcast.subColumn(x, Nd4j.zeros(DataType.FLOAT, 3)));
        assertThrows(IllegalArgumentException.class, () -> Broadcast.mulRow(x, Nd4j.zeros(DataType.FLOAT, 1, 1, 3)));
        assertThrows(IllegalArgumentException.class, () -> Broadcast.mulColumn(Nd4j.zeros(DataType.FLOAT, 2, 4, 3),
                Nd4j.zeros(DataType.FLOAT, 2)));
    }

    /**
     * The crash {@link Broadcast} avoids, on demand ({@code -Dhora.stress=true}; minutes, so not in the
     * default build): row additions while another thread keeps the collector busy. ND4J's own
     * {@code addiRowVector} killed this JVM with SIGSEGV in {@code sd::DataBuffer::primary()} after
     * about 90 s here; a failure is the fork dying.
     */
    @Test
    @EnabledIfSystemProperty(named = "hora.stress", matches = "true")
    void survivesCollectionsDuringTheNativeCall() throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        Thread gc = new Thread(() -> {
            while (!stop.get()) {
                System.gc();
                Blackhole.sink = new byte[1 << 20];
            }
        });
        gc.setDaemon(true);
        gc.start();
        INDArray x = Nd4j.zeros(DataType.FLOAT, 4, 8);
        INDArray one = Nd4j.ones(DataType.FLOAT, 1, 8);
        long n = 0;
        long end = System.nanoTime() + Long.getLong("hora.stress.seconds", 180) * 1_000_000_000L;
        while (System.nanoTime() < end) {
            Broadcast.addRow(x, one);
            n++;
        }
        stop.set(true);
        gc.join();
        assertEquals(n, x.getDouble(3, 7), 0.0, "every addition landed");
    }

    private static final class Blackhole {
        static volatile Object sink;
    }
}
