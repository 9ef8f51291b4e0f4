package dev.hora.text;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order in which examples are visited per epoch: a seeded shuffle of the indices
 * ({@code Random(seed * 1_000_003 + epoch)}), cut into consecutive chunks of {@code batchSize}
 * (the last chunk may be smaller). Same seed and epoch, same order: resumable.
 */
public final class BatchOrder {
    private BatchOrder() {
    }

    /** Index chunks for one epoch over {@code n} examples. */
    public static List<int[]> epoch(int n, int batchSize, long seed, int epoch) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed * 1_000_003L + epoch));
        return chunks(idx, batchSize);
    }

    /**
     * Length-bucketed order: the seeded shuffle of {@link #epoch}, cut into windows of
     * {@code window} batches; inside a window examples are sorted by token length and cut into
     * batches; then all batches are shuffled. Batches hold similar lengths, so padding to each
     * batch's longest sequence wastes little compute. Same seed and epoch, same order.
     *
     * @param lengths token count of every example
     */
    public static List<int[]> bucketed(int[] lengths, int batchSize, long seed, int epoch, int window) {
        int group = (int) Math.min((long) batchSize * Math.max(1, window), Integer.MAX_VALUE);   // no int overflow
        List<int[]> shuffled = epoch(lengths.length, group, seed, epoch);
        List<int[]> out = new ArrayList<>();
        for (int[] w : shuffled) {
            List<Integer> idx = new ArrayList<>();
            for (int i : w) {
                idx.add(i);
            }
            idx.sort((a, b) -> Integer.compare(lengths[a], lengths[b]));
            out.addAll(chunks(idx, batchSize));
        }
        Collections.shuffle(out, new Random(seed * 31 + epoch));
        return out;
    }

    private static List<int[]> chunks(List<Integer> idx, int batchSize) {
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < idx.size(); s += batchSize) {
            out.add(idx.subList(s, Math.min(idx.size(), s + batchSize)).stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }
}
