package dev.hora.finetune;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The exclusive lock of a run directory: an OS file lock ({@link FileChannel#tryLock}) on
 * {@code DIR/.hora-run.lock}, which holds the holder's pid, host and start time for the message a
 * second process gets. The OS releases the lock when its process ends, however it ends; the file
 * itself stays (deleting it would let two processes lock two different files of one name), and
 * marks the directory as one a run created.
 *
 * <p>Re-entrant within a thread ({@code hora finetune} locks the directory before it writes
 * settings.json, {@link Finetuner#run} again); another thread of the same process is refused
 * like another process.
 */
public final class RunLock implements AutoCloseable {
    /** File name of the lock inside a run directory. */
    public static final String FILE = ".hora-run.lock";
    private static final Map<Path, RunLock> HELD = new HashMap<>();

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Thread owner;
    private int depth = 1;

    private RunLock(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.owner = Thread.currentThread();
    }

    /**
     * Locks {@code dir} (which must exist) for this thread.
     *
     * @throws IOException naming the directory and the holder when another process or thread holds it
     */
    public static RunLock acquire(Path dir) throws IOException {
        Path key = dir.toAbsolutePath().normalize();
        Path file = key.resolve(FILE);
        synchronized (HELD) {
            RunLock held = HELD.get(key);
            if (held != null) {
                if (held.owner != Thread.currentThread()) {
                    throw new IOException(key + ": in use by another run of this process (thread '"
                            + held.owner.getName() + "'); one run directory takes one run at a time");
                }
                held.depth++;
                return held;
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            } catch (IOException e) {
                ch.close();
                throw new IOException(file + ": cannot lock the run directory: " + e.getMessage(), e);
            }
            if (l == null) {
                String holder = holder(ch);
                ch.close();
                throw new IOException(key + ": in use by another hora process (" + holder + ", " + file.getFileName()
                        + "); wait for it to finish or stop it, then run again");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on host " + host() + " since "
                    + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            ch.force(false);
            RunLock r = new RunLock(key, ch, l);
            HELD.put(key, r);
            return r;
        }
    }

    /** The directory this lock holds. */
    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException {
        synchronized (HELD) {
            if (--depth > 0) {
                return;
            }
            HELD.remove(dir);
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown: " + e.getMessage();
        }
    }

    private static String host() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();   // Linux, no name lookup
        } catch (IOException | RuntimeException e) {
            try {
                return InetAddress.getLocalHost().getHostName();
            } catch (IOException e2) {
                return "unknown";
            }
        }
    }

    /** True when {@code dir} holds nothing but (at most) a run's lock file. */
    static boolean emptyButLock(Path dir) throws IOException {
        try (var list = Files.list(dir)) {
            return list.allMatch(p -> p.getFileName().toString().equals(FILE));
        }
    }
}
