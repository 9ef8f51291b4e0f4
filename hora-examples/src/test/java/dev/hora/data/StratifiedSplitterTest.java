package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StratifiedSplitterTest {
    private static TextDataset data() {
        List<Example> ex = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ex.add(new Example("s" + i, i < 200 ? 0 : (i < 290 ? 1 : 2))); // 200 / 90 / 10
        }
        return new TextDataset("toy", ex, List.of("a", "b", "c"));
    }

    @Test
    void splitIsStratifiedDisjointCompleteAndReproducible() {
        Split s = StratifiedSplitter.split(data(), 0.2, 42);
        assertArrayEquals(new int[] {160, 72, 8}, s.train().classCounts());
        assertArrayEquals(new int[] {40, 18, 2}, s.test().classCounts());
        Set<String> all = new HashSet<>(s.train().texts());
        all.addAll(s.test().texts());
        assertEquals(300, all.size());
        assertEquals(s.train().examples(), StratifiedSplitter.split(data(), 0.2, 42).train().examples());
        assertNotEquals(s.test().texts(), StratifiedSplitter.split(data(), 0.2, 43).test().texts());
        // labels stay attached to their texts
        for (Example e : s.test().examples()) {
            int i = Integer.parseInt(e.text().substring(1));
            assertEquals(i < 200 ? 0 : (i < 290 ? 1 : 2), e.label());
        }
    }

    @Test
    void subsampleKeepsClassSharesAndAtLeastOnePerClass() {
        TextDataset d = StratifiedSplitter.subsample(data(), 0.1, 1);
        assertArrayEquals(new int[] {20, 9, 1}, d.classCounts());
        assertArrayEquals(new int[] {2, 1, 1}, StratifiedSplitter.subsample(data(), 0.01, 1).classCounts());
        assertEquals(d.texts(), StratifiedSplitter.subsample(data(), 0.1, 1).texts());
    }

    @Test
    void validationIsCarvedOutOfTrainingStratifiedAndTestIsUntouched() {
        Split base = StratifiedSplitter.split(data(), 0.2, 42);
        Split v = StratifiedSplitter.withValidation(base, 0.1, 7);
        assertArrayEquals(new int[] {16, 7, 1}, v.validation().classCounts(), "round(n_c 0.1), at least 1");
        assertArrayEquals(new int[] {144, 65, 7}, v.train().classCounts());
        assertEquals(base.test(), v.test());
        Set<String> train = new HashSet<>(v.train().texts());
        v.validation().texts().forEach(t -> assertEquals(false, train.contains(t), "disjoint: " + t));
        Set<String> union = new HashSet<>(train);
        union.addAll(v.validation().texts());
        assertEquals(new HashSet<>(base.train().texts()), union, "nothing lost");
        assertEquals(v.validation().texts(), StratifiedSplitter.withValidation(base, 0.1, 7).validation().texts());
        assertNotEquals(v.validation().texts(), StratifiedSplitter.withValidation(base, 0.1, 8).validation().texts());
        assertEquals(base, StratifiedSplitter.withValidation(base, 0, 7), "0 = no validation split");
        TextDataset one = new TextDataset("one", List.of(new Example("x", 0), new Example("y", 1), new Example("z", 1)),
                List.of("a", "b"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> StratifiedSplitter.withValidation(new Split(one, one), 0.2, 1));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("too small for the validation split")
                && e.getMessage().contains("class 'a' has 1 example"), e.getMessage());
    }
}
