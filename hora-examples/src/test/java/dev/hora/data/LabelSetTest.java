package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelSetTest {
    @Test
    void integersSortNumericallyAndCompareByValue() {
        LabelSet s = LabelSet.detect(List.of("10", "2", " 0", "2"));
        assertEquals(List.of("0", "2", "10"), s.names());
        assertEquals(2, s.index("10"));
        assertEquals(1, s.index("02"));
        assertEquals(-1, s.index("3"));
    }

    @Test
    void stringsSortLexicographically() {
        LabelSet s = LabelSet.detect(List.of("positive", "negative", "1"));
        assertEquals(List.of("1", "negative", "positive"), s.names());
        assertEquals(0, s.index("1"));
        assertEquals(-1, s.index("01"));
    }
}
