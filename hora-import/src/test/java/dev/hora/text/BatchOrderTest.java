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
    }

    @Test
    void bucketedBatchesArePermutationsOfSimilarLengthAndReproducible() {
        int n = 200;
        int[] lengths = new int[n];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < n; i++) {
            lengths[i] = 3 + r.nextInt(60);
        }
        List<int[]> a = BatchOrder.bucketed(lengths, 8, 42, 0, 5);
        org.junit.jupiter.api.Assertions.assertEquals(n, a.stream().mapToInt(b -> b.length).sum());
        org.junit.jupiter.api.Assertions.assertEquals(n, a.stream().flatMapToInt(java.util.Arrays::stream).distinct().count());
        double bucketedPad = 0;
        double plainPad = 0;
        for (int[] b : a) {
            bucketedPad += padding(b, lengths);
        }
        for (int[] b : BatchOrder.epoch(n, 8, 42, 0)) {
            plainPad += padding(b, lengths);
        }
        org.junit.jupiter.api.Assertions.assertTrue(bucketedPad < plainPad / 3, bucketedPad + " vs " + plainPad);
        List<int[]> again = BatchOrder.bucketed(lengths, 8, 42, 0, 5);
        for (int i = 0; i < a.size(); i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(a.get(i), again.get(i));
        }
    }

    private static int padding(int[] batch, int[] lengths) {
        int max = java.util.Arrays.stream(batch).map(i -> lengths[i]).max().orElse(0);
        return java.util.Arrays.stream(batch).map(i -> max - lengths[i]).sum();
    }
}
