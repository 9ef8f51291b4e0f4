package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** IEEE binary16 decoding against bit patterns from the standard's tables. */
class HalfFloatTest {
    @Test
    void knownBitPatterns() {
        assertEquals(1.0f, SafetensorsReader.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, SafetensorsReader.halfToFloat((short) 0xc000));
        assertEquals(65504f, SafetensorsReader.halfToFloat((short) 0x7bff));          // largest normal
        assertEquals(0x1p-14f, SafetensorsReader.halfToFloat((short) 0x0400));        // smallest normal
        assertEquals(0x1p-24f, SafetensorsReader.halfToFloat((short) 0x0001));        // smallest subnormal
        assertEquals(0x3ffp-24f, SafetensorsReader.halfToFloat((short) 0x03ff));      // largest subnormal
        assertEquals(0.333251953125f, SafetensorsReader.halfToFloat((short) 0x3555));
        assertEquals(Float.POSITIVE_INFINITY, SafetensorsReader.halfToFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, SafetensorsReader.halfToFloat((short) 0xfc00));
        assertTrue(Float.isNaN(SafetensorsReader.halfToFloat((short) 0x7e00)));
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(SafetensorsReader.halfToFloat((short) 0x8000)));
    }
}
