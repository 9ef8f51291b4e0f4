package dev.hora.spark.train;

/**
 * The all-reduce of data-parallel training: every worker passes its shard's vector and row count, every worker
 * gets the same row-weighted mean
 * <pre>
 *   x = sum_w n_w x_w / sum_w n_w          x_w [len], n_w rows of worker w's shard (summed in worker order, in double)
 * </pre>
 * which for per-shard mean gradients is the gradient of the mean loss over the global batch.
 */
public interface GradientExchange {
    /** The weighted mean of every worker's {@code local} (all of one length); blocks until every worker called. */
    float[] allReduceMean(float[] local, long rows);

    /** Time spent in all-reduces so far, the wait for the slowest worker included. */
    long nanos();

    /** Payload bytes this worker sent so far. */
    long bytesSent();

    /** Which implementation a run uses. */
    enum Kind {
        /** {@link SocketExchange}: TCP to worker 0, set up with one barrier allGather (default). */
        SOCKET,
        /** {@link BarrierExchange}: Spark's BarrierTaskContext.allGather every step (polls once a second). */
        ALL_GATHER
    }

    /** Adds {@code rows}-weighted vectors in worker order: the shared arithmetic of every implementation. */
    static float[] weightedMean(float[][] vectors, long[] rows) {
        int len = vectors[0].length;
        double[] sum = new double[len];
        long n = 0;
        for (int w = 0; w < vectors.length; w++) {
            if (vectors[w].length != len) {
                throw new IllegalStateException("all-reduce: worker " + w + " sent " + vectors[w].length
                        + " values, worker 0 " + len + " (the workers' adapters differ)");
            }
            for (int i = 0; i < len; i++) {
                sum[i] += (double) rows[w] * vectors[w][i];
            }
            n += rows[w];
        }
        float[] out = new float[len];
        for (int i = 0; i < len; i++) {
            out[i] = (float) (sum[i] / n);
        }
        return out;
    }
}
