package dev.hora.io;

import java.util.Arrays;

/**
 * One tensor of a safetensors header: {@code name: {dtype, shape, data_offsets: [begin, end]}},
 * offsets in bytes relative to the start of the data section (right after the header).
 */
public record TensorEntry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

    /** Number of elements, the product of the shape (1 for a scalar). */
    public long elements() {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Byte size the shape and dtype require. */
    public long byteSize() {
        return Math.multiplyExact(elements(), dtype.bytes());
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorEntry t && name.equals(t.name) && dtype == t.dtype
                && Arrays.equals(shape, t.shape) && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
