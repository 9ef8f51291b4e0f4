package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ndarray.ShapeInfoProvider;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The shape-information cache: shared buffers for equal descriptors, exact ones for the rest, bounded. */
class ShapeInfoCacheTest {

    @Test
    void arraysOfOneShapeShareOneShapeBufferAndMakeOneNativeBufferEach() throws InterruptedException {
        ShapeInfoCache.install();
        KernelWarmup.join();   // its arrays would be counted too
        assertInstanceOf(ShapeInfoCache.class, Nd4j.getShapeInfoProvider());
        try (MemoryWorkspace ws = Workspaces.open(Workspaces.INFER)) {
            INDArray a = Nd4j.createUninitialized(DataType.FLOAT, 3, 7);
            INDArray b = Nd4j.createUninitialized(DataType.FLOAT, 3, 7);
            assertSame(a.shapeInfoDataBuffer(), b.shapeInfoDataBuffer());
            long before = Nd4j.getDeallocatorService().nextValue();
            for (int i = 0; i < 100; i++) {
                Nd4j.createUninitialized(DataType.FLOAT, 3, 7);
            }
            long made = Nd4j.getDeallocatorService().nextValue() - before - 1;
            assertEquals(100, made, "one tracked buffer per array (its data), none for its shape");
        }
    }

    @Test
    void everyDescriptorGetsItsOwnExactShapeInformation() {
        ShapeInfoCache.install();
        INDArray base = Nd4j.rand(DataType.FLOAT, 4, 6);
        INDArray[] arrays = {
                Nd4j.create(DataType.FLOAT, 4, 6), Nd4j.create(DataType.FLOAT, new long[]{4, 6}, 'f'),
                Nd4j.create(DataType.DOUBLE, 4, 6), Nd4j.create(DataType.FLOAT, 6, 4), Nd4j.create(DataType.FLOAT, 24),
                base.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)), base.transpose(), base.reshape(2, 12),
                Nd4j.create(DataType.FLOAT, 0, 6), Nd4j.scalar(2.5f)};
        for (int i = 0; i < arrays.length; i++) {
            INDArray a = arrays[i];
            long[] want = Nd4j.getExecutioner().createShapeInfo(a.shape(), a.stride(), a.elementWiseStride(),
                    a.ordering(), a.dataType(), a.isEmpty()).asLong();
            assertArrayEquals(want, a.shapeInfoDataBuffer().asLong(), "array " + i + ": " + a.shapeInfoToString());
            for (int j = 0; j < i; j++) {
                assertNotSame(arrays[j].shapeInfoDataBuffer(), a.shapeInfoDataBuffer(), "arrays " + j + " and " + i);
            }
        }
        base.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)).assign(7f);
        assertEquals(7f, base.getFloat(2, 3), "a view on a cached descriptor writes its own elements");
        assertTrue(base.getFloat(2, 0) < 1f && base.getFloat(2, 4) < 1f, "and only those");
    }

    @Test
    void aFullCacheStartsOver() {
        AtomicInteger made = new AtomicInteger();
        ShapeInfoProvider counting = new ShapeInfoProvider() {
            @Override
            public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, DataType dataType) {
                throw new AssertionError();
            }

            @Override
            public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, char order, DataType dataType) {
                throw new AssertionError();
            }

            @Override
            public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long ews, char order,
                                                                   DataType dataType, boolean empty) {
                made.incrementAndGet();
                return Pair.of(null, shape.clone());
            }

            @Override
            public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long ews, char order,
                                                                   long extras) {
                throw new AssertionError();
            }

            @Override
            public void purgeCache() {
            }

            @Override
            public long getCachedBytes() {
                return 0;
            }
        };
        ShapeInfoCache cache = new ShapeInfoCache(counting);
        for (int n = 1; n <= ShapeInfoCache.MAX_ENTRIES; n++) {
            cache.createShapeInformation(new long[]{n}, new long[]{1}, 1, 'c', DataType.FLOAT, false);
        }
        assertEquals(ShapeInfoCache.MAX_ENTRIES, cache.size());
        cache.createShapeInformation(new long[]{5}, new long[]{1}, 1, 'c', DataType.FLOAT, false);
        assertEquals(ShapeInfoCache.MAX_ENTRIES, made.get(), "a cached descriptor is not made again");
        cache.createShapeInformation(new long[]{-1}, new long[]{1}, 1, 'c', DataType.FLOAT, false);
        assertEquals(1, cache.size(), "full: the cache started over with the new descriptor");
        assertTrue(cache.createShapeInformation(new long[]{-1}, new long[]{1}, 1, 'c', DataType.FLOAT, true)
                .getSecond()[0] == -1 && made.get() == ShapeInfoCache.MAX_ENTRIES + 2, "empty is part of the key");
    }
}
