package dev.hora.kernels;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.ShapeInfoProvider;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cache of ND4J's shape-information buffers for the CPU backend, in front of its own provider.
 *
 * <p>Every INDArray carries a shape-information buffer, {@code [rank, shape[rank], stride[rank], extras, ews,
 * order]} (longs). ND4J 1.0.0-M2.1's CPU provider ({@code DirectShapeInfoProvider}) caches only the variant keyed by
 * "extras"; the one array constructors call ({@code (shape, stride, ews, order, dataType, empty)}) goes to native code
 * every time: two {@code LongPointer}s allocated for shape and stride, and a new Java buffer around the native
 * side's constant shape buffer, each with a JavaCPP phantom reference and an ND4J weak reference for the garbage
 * collector to process. That was half of the 155 buffers a one-request forward pass (1 x 8 tokens, MiniLM, LoRA)
 * made, and those references are what makes young collections long in {@code hora serve}.
 *
 * <p>The buffers it caches are the native side's constants (never freed, the same for equal descriptors), so
 * sharing one among arrays is what ND4J's own cache does. At most {@link #MAX_ENTRIES} descriptors are kept; when
 * full the cache starts over (a server with many batch shapes keeps its current shapes cached).
 * {@link #install()} puts it in place once per JVM, on the CPU backend only.
 */
public final class ShapeInfoCache implements ShapeInfoProvider {
    private static final Logger LOG = LoggerFactory.getLogger(ShapeInfoCache.class);
    /** Descriptors kept before the cache starts over (a few hundred bytes of heap each). */
    static final int MAX_ENTRIES = 20_000;
    private static volatile boolean installed;

    private final ShapeInfoProvider nd4j;
    private final ConcurrentHashMap<Key, Pair<DataBuffer, long[]>> cache = new ConcurrentHashMap<>();

    ShapeInfoCache(ShapeInfoProvider nd4j) {
        this.nd4j = nd4j;
    }

    /**
     * Installs the cache in front of ND4J's CPU provider (idempotent; a no-op on other backends, whose providers
     * keep device copies, or if ND4J's field cannot be set, which is logged once).
     */
    public static void install() {
        if (installed) {
            return;
        }
        synchronized (ShapeInfoCache.class) {
            if (installed) {
                return;
            }
            installed = true;
            ShapeInfoProvider current = Nd4j.getShapeInfoProvider();
            if (!current.getClass().getName().equals("org.nd4j.linalg.cpu.nativecpu.DirectShapeInfoProvider")) {
                return;
            }
            try {
                Field f = Nd4j.class.getDeclaredField("shapeInfoProvider");
                f.setAccessible(true);
                f.set(null, new ShapeInfoCache(current));
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.warn("ND4J's shape-information provider could not be replaced ({}); arrays allocate their shape "
                        + "buffers each time", e.toString());
            }
        }
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, DataType dataType) {
        return createShapeInformation(shape, Nd4j.order(), dataType);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, char order, DataType dataType) {
        return createShapeInformation(shape, Nd4j.getStrides(shape, order), 1, order, dataType, false);
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
                                                           char order, DataType dataType, boolean empty) {
        Pair<DataBuffer, long[]> hit = cache.get(new Key(shape, stride, elementWiseStride, order, dataType, empty, false));
        if (hit != null) {
            return hit;
        }
        Pair<DataBuffer, long[]> made = nd4j.createShapeInformation(shape, stride, elementWiseStride, order,
                dataType, empty);
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();
        }
        cache.put(new Key(shape, stride, elementWiseStride, order, dataType, empty, true), made);
        return made;
    }

    @Override
    public Pair<DataBuffer, long[]> createShapeInformation(long[] shape, long[] stride, long elementWiseStride,
                                                           char order, long extras) {
        return nd4j.createShapeInformation(shape, stride, elementWiseStride, order, extras);
    }

    @Override
    public void purgeCache() {
        cache.clear();
        nd4j.purgeCache();
    }

    @Override
    public long getCachedBytes() {
        return nd4j.getCachedBytes();
    }

    /** Descriptors cached now (for tests). */
    int size() {
        return cache.size();
    }

    /** A shape descriptor (its arrays copied when it goes into the cache), hash computed once. */
    private static final class Key {
        private final long[] shape;
        private final long[] stride;
        private final long ews;
        private final char order;
        private final DataType type;
        private final boolean empty;
        private final int hash;

        Key(long[] shape, long[] stride, long ews, char order, DataType type, boolean empty, boolean copy) {
            this.shape = copy ? shape.clone() : shape;
            this.stride = copy ? stride.clone() : stride;
            this.ews = ews;
            this.order = order;
            this.type = type;
            this.empty = empty;
            this.hash = ((31 * Arrays.hashCode(this.shape) + Arrays.hashCode(this.stride)) * 31
                    + Long.hashCode(ews)) * 31 + order * 7 + type.ordinal() * 2 + (empty ? 1 : 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && k.ews == ews && k.order == order && k.type == type
                    && k.empty == empty && Arrays.equals(k.shape, shape) && Arrays.equals(k.stride, stride);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
