package dev.hora.spark.train;

/**
 * Which rows each worker holds and which it uses at each step. The data set's rows are numbered
 * {@code i = 0..N-1} in input order; the last {@code N mod B} are dropped so every epoch has {@code E = N / B}
 * full global batches (B = batch size, W workers):
 * <pre>
 *   step t uses the global batch  e = t mod E:  rows  i = e B + j,  j = 0..B-1            (same as one process)
 *   worker of row i:               w(i) = floor((i mod B) W / B)                          (slot j of every batch)
 * </pre>
 * so worker w holds the rows of batch slots [ceil(w B / W), ceil((w+1) B / W)) of every batch, its shard.
 */
final class Shards {
    private Shards() {
    }

    /** The worker of row {@code i}. */
    static int worker(long i, int batchSize, int workers) {
        return (int) ((i % batchSize) * workers / batchSize);
    }

    /** The global batch of step {@code t} when the data has {@code batches} of them per epoch. */
    static long batchOf(int step, long batches) {
        return step % batches;
    }
}
