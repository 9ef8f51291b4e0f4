package dev.hora.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchOrderTest {
    @Test
    void epochsArePermutationsChunkedAndReproducible() {
        List<int[]> e0 = BatchOrder.epoch(10, 4, 7, 0);
        assertEquals(List.of(4, 4, 2), e0.stream().map(a -> a.length).toList());
        int[] all = e0.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(IntStream.range(0, 10).toArray(), all);
        int[] flat0 = e0.stream().flatMapToInt(Arrays::stream).toArray();
        assertArrayEquals(flat0, BatchOrder.epoch(10, 4, 7, 0).stream().flatMapToInt(Arrays::stream).toArray());
        int[] flat1 = BatchOrder.epoch(10, 4, 7, 1).stream().flatMapToInt(Arrays::stream).toArray();
        assertFalse(Arrays.equals(flat0, flat1), "each epoch reshuffles");
        assertArrayEquals(new int[] {4, 5}, BatchOrder.sequential(6, 2).get(2));
    }
}
