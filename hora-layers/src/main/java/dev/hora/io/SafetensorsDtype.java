package dev.hora.io;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The safetensors element types this library reads and writes, with their ND4J counterparts.
 * All are stored little-endian. F16 (IEEE half) and BF16 (bfloat16, the top 16 bits of an F32) are
 * read only, widened exactly to F32 arrays (adapters trained in half precision).
 */
public enum SafetensorsDtype {
    F64(8, DataType.DOUBLE),
    F32(4, DataType.FLOAT),
    I64(8, DataType.LONG),
    I32(4, DataType.INT),
    F16(2, DataType.FLOAT),
    BF16(2, DataType.FLOAT);

    private final int bytes;
    private final DataType nd4j;

    SafetensorsDtype(int bytes, DataType nd4j) {
        this.bytes = bytes;
        this.nd4j = nd4j;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    /** The ND4J data type of arrays read from this dtype. */
    public DataType nd4j() {
        return nd4j;
    }

    /** The safetensors dtype written for an ND4J data type, or {@code null} if not supported. */
    public static SafetensorsDtype of(DataType type) {
        for (SafetensorsDtype d : values()) {
            if (d.nd4j == type && d != F16 && d != BF16) {
                return d;
            }
        }
        return null;
    }

    /** Parses a header dtype string such as {@code "F32"}, or {@code null} if not supported. */
    public static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
