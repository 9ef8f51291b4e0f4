package dev.hora.spark.train;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.apache.spark.BarrierTaskContext;

/**
 * {@link GradientExchange} over Spark's barrier execution mode: {@code BarrierTaskContext.allGather} (a barrier
 * that also passes one String per task, returned in partition order) carries each worker's
 * {@code [rows int64 | values float32...]} as Base64 (little-endian). Every worker decodes all messages and
 * computes the same weighted mean in the same order, so every worker applies the same update. Message size per
 * worker: {@code 4/3 (8 + 4 len)} bytes; the driver relays all of them to every task (Spark's barrier
 * coordinator), so a step moves {@code W^2} such messages through the driver.
 */
public final class BarrierExchange implements GradientExchange {
    private final BarrierTaskContext ctx;
    private long nanos;
    private long bytesSent;

    public BarrierExchange(BarrierTaskContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public float[] allReduceMean(float[] local, long rows) {
        long t0 = System.nanoTime();
        ByteBuffer buf = ByteBuffer.allocate(8 + 4 * local.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(rows);
        buf.asFloatBuffer().put(local);
        String msg = Base64.getEncoder().encodeToString(buf.array());
        bytesSent += msg.length();
        String[] all = ctx.allGather(msg);
        float[][] vectors = new float[all.length][];
        long[] counts = new long[all.length];
        for (int w = 0; w < all.length; w++) {
            ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(all[w])).order(ByteOrder.LITTLE_ENDIAN);
            counts[w] = b.getLong();
            vectors[w] = new float[b.remaining() / 4];
            b.asFloatBuffer().get(vectors[w]);
        }
        float[] mean = GradientExchange.weightedMean(vectors, counts);
        nanos += System.nanoTime() - t0;
        return mean;
    }

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }
}
