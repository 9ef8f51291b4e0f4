package dev.hora.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** t quantiles and intervals against values computed independently (t tables; Python's statistics module). */
class IntervalTest {

    /** Two-sided 95 % critical values of Student's t (standard tables, 9 digits). */
    @ParameterizedTest(name = "t(0.975, {0}) = {1}")
    @CsvSource({"1,12.706204736", "2,4.302652730", "4,2.776445105", "9,2.262157163", "29,2.045229642",
            "100,1.983971519"})
    void tQuantilesMatchTheTables(int df, double expected) {
        assertEquals(expected, Interval.tQuantile(df), 1e-8);
    }

    /** mean 0.82, sd 0.021213203435596392 (statistics.stdev), half = 2.776445105 * sd / sqrt 5. */
    @Test
    void intervalOfFiveValues() {
        Interval i = Interval.of(List.of(0.80, 0.82, 0.85, 0.83, 0.80));
        assertEquals(5, i.n());
        assertEquals(0.82, i.mean(), 1e-12);
        assertEquals(0.021213203435596392, i.sd(), 1e-12);
        assertEquals(0.02633967099255249, i.half(), 1e-10);
        assertEquals(0.82 - 0.02633967099255249, i.low(), 1e-10);
        assertTrue(i.above(0.79) && !i.above(0.80) && i.below(0.85));
    }

    @Test
    void oneValueHasNoInterval() {
        Interval i = Interval.of(List.of(0.7));
        assertEquals(0.7, i.mean());
        assertTrue(Double.isNaN(i.half()) && Double.isNaN(i.sd()));
        assertThrows(IllegalArgumentException.class, () -> Interval.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Interval.tQuantile(0));
    }
}
