package dev.hora.spark.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.spark.BarrierTaskContext;

/**
 * {@link GradientExchange} over direct TCP connections, set up once with one barrier {@code allGather} of worker
 * 0's address. Spark's own {@code allGather} polls its reply every second (BarrierTaskContext sleeps 1000 ms
 * between checks), which puts up to a second on every step; here a step costs the transfer:
 * <pre>
 *   worker w > 0:  send [rows int64 | len int32 | floats]  to worker 0, read back the mean [len floats]
 *   worker 0:      read the W-1 messages in worker order, x = weightedMean (GradientExchange), send x to each
 * </pre>
 * (a star: 2 (W-1) len floats through worker 0 per step; a ring all-reduce would spread that, see the README's
 * cluster plan). A failed worker closes its socket (the task ends), the peers' reads fail and their tasks end,
 * so the barrier stage fails as a whole. {@link #close} closes everything.
 */
public final class SocketExchange implements GradientExchange, AutoCloseable {
    /** A read waits at most this long (a peer that hangs without failing). */
    static final int TIMEOUT_MS = 600_000;
    private final int workers;
    private final int me;
    private ServerSocket server;
    private final Socket[] peers;
    private final DataInputStream[] in;
    private final DataOutputStream[] out;
    private long nanos;
    private long bytesSent;

    /** Connects the barrier stage's workers (every worker calls this at the same point). */
    public SocketExchange(BarrierTaskContext ctx) throws IOException {
        workers = ctx.getTaskInfos().length;
        me = ctx.partitionId();
        peers = new Socket[workers];
        in = new DataInputStream[workers];
        out = new DataOutputStream[workers];
        String address = "";
        if (me == 0) {
            server = new ServerSocket(0, workers, null);
            String host = ctx.getTaskInfos()[0].address().replaceAll(":\\d+$", "");
            address = (host.isEmpty() ? InetAddress.getLocalHost().getHostAddress() : host) + ":" + server.getLocalPort();
        }
        String root = ctx.allGather(address)[0];
        try {
            if (me == 0) {
                server.setSoTimeout(TIMEOUT_MS);
                for (int i = 1; i < workers; i++) {
                    Socket s = server.accept();
                    DataInputStream din = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                    int w = din.readInt();
                    open(w, s, din);
                }
            } else {
                int colon = root.lastIndexOf(':');
                Socket s = new Socket();
                s.connect(new InetSocketAddress(root.substring(0, colon), Integer.parseInt(root.substring(colon + 1))),
                        TIMEOUT_MS);
                open(0, s, new DataInputStream(new BufferedInputStream(s.getInputStream())));
                out[0].writeInt(me);
                out[0].flush();
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void open(int w, Socket s, DataInputStream din) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout(TIMEOUT_MS);
        peers[w] = s;
        in[w] = din;
        out[w] = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16));
    }

    @Override
    public float[] allReduceMean(float[] local, long rows) {
        long t0 = System.nanoTime();
        try {
            float[] mean;
            if (me == 0) {
                float[][] vectors = new float[workers][];
                long[] counts = new long[workers];
                vectors[0] = local;
                counts[0] = rows;
                for (int w = 1; w < workers; w++) {
                    counts[w] = in[w].readLong();
                    vectors[w] = readFloats(in[w], in[w].readInt());
                }
                mean = GradientExchange.weightedMean(vectors, counts);
                for (int w = 1; w < workers; w++) {
                    writeFloats(out[w], mean);
                }
            } else {
                out[0].writeLong(rows);
                out[0].writeInt(local.length);
                writeFloats(out[0], local);
                mean = readFloats(in[0], local.length);
            }
            nanos += System.nanoTime() - t0;
            return mean;
        } catch (IOException e) {
            throw new UncheckedIOException("worker " + me + ": all-reduce failed (a peer ended?): " + e.getMessage(), e);
        }
    }

    /** The floats in one bulk write (big-endian, as DataOutputStream): 95K floats per call one by one took ~15 ms. */
    private void writeFloats(DataOutputStream o, float[] v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length);
        b.asFloatBuffer().put(v);
        o.write(b.array());
        o.flush();
        bytesSent += 4L * v.length;
    }

    private static float[] readFloats(DataInputStream i, int len) throws IOException {
        byte[] bytes = new byte[4 * len];
        i.readFully(bytes);
        float[] v = new float[len];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
        return v;
    }

    @Override
    public long nanos() {
        return nanos;
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public void close() {
        for (Socket s : peers) {
            closeQuietly(s);
        }
        closeQuietly(server);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // closing after a failure: nothing left to do
            }
        }
    }
}
