package dev.hora.io;

import java.nio.file.Path;

/**
 * Test helper run in a child JVM: starts an atomic write of {@code args[0]}, writes 1 MiB, then
 * hangs until it is killed, which simulates a crash in the middle of saving a checkpoint.
 */
public final class SlowWriterMain {
    public static void main(String[] args) throws Exception {
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write(new byte[1 << 20]);
            out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
        });
    }
}
