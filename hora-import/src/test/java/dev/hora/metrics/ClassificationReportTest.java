package dev.hora.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small cases computed by hand. */
class ClassificationReportTest {
    @TempDir
    Path dir;

    @Test
    void binaryCase() {
        // truth:     1 1 1 0 0 0 0 1
        // predicted: 1 0 1 0 1 0 0 1  -> TP=3 FN=1 FP=1 TN=3
        int[] t = {1, 1, 1, 0, 0, 0, 0, 1};
        int[] p = {1, 0, 1, 0, 1, 0, 0, 1};
        ClassificationReport r = ClassificationReport.of(t, p, List.of("negative", "positive"));
        assertEquals(0.75, r.accuracy(), 1e-12);
        assertArrayEquals(new long[][] {{3, 1}, {1, 3}}, r.confusion());
        assertEquals(0.75, r.perClass().get(1).precision(), 1e-12);
        assertEquals(0.75, r.perClass().get(1).recall(), 1e-12);
        assertEquals(0.75, r.macroF1(), 1e-12);
        assertEquals(4, r.perClass().get(0).support());
    }

    @Test
    void threeClassesWithAnUnpredictedClass() {
        // C = [[2,1,0],[0,3,0],[1,1,0]]
        int[] t = {0, 0, 0, 1, 1, 1, 2, 2};
        int[] p = {0, 0, 1, 1, 1, 1, 0, 1};
        ClassificationReport r = ClassificationReport.of(t, p, List.of("a", "b", "c"));
        assertArrayEquals(new long[][] {{2, 1, 0}, {0, 3, 0}, {1, 1, 0}}, r.confusion());
        assertEquals(5.0 / 8, r.accuracy(), 1e-12);
        // class a: P = 2/3, R = 2/3, F1 = 2/3; class b: P = 3/5, R = 1, F1 = 0.75; class c: 0
        assertEquals(2.0 / 3, r.perClass().get(0).f1(), 1e-12);
        assertEquals(0.6, r.perClass().get(1).precision(), 1e-12);
        assertEquals(0.75, r.perClass().get(1).f1(), 1e-12);
        assertEquals(0.0, r.perClass().get(2).precision());
        assertEquals((2.0 / 3 + 0.75 + 0) / 3, r.macroF1(), 1e-12);
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(new int[2], new int[3], List.of("a")));
        assertThrows(IllegalArgumentException.class,
                () -> ClassificationReport.of(new int[] {0}, new int[] {2}, List.of("a", "b")));
    }

    @Test
    void jsonRoundTrip() throws Exception {
        ClassificationReport r = ClassificationReport.of(new int[] {0, 1, 1}, new int[] {0, 1, 0}, List.of("n", "p"));
        Path f = dir.resolve("metrics.json");
        MetricsJson.write(f, r);
        String json = java.nio.file.Files.readString(f);
        assertEquals(true, json.contains("\"macroF1\"") && json.contains("\"confusion\""), json);
        ClassificationReport back = MetricsJson.MAPPER.readValue(f.toFile(), ClassificationReport.class);
        assertEquals(r.accuracy(), back.accuracy());
        assertEquals(r.perClass(), back.perClass());
        assertArrayEquals(r.confusion(), back.confusion());
    }
}
