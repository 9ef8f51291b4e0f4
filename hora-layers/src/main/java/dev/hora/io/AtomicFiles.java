package dev.hora.io;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Crash-safe file and directory writes: write into a temporary sibling, fsync, then rename.
 *
 * <pre>
 *   body(out) -> .name.RANDOM.tmp --fsync--> rename(tmp, name) --fsync(dir)-->
 * </pre>
 *
 * A reader sees either the previous complete file or the new complete file, never a partial one:
 * if the writer throws, the temporary file is deleted; if the process dies mid-write, only a
 * {@code .tmp} sibling is left behind and the target is untouched.
 */
public final class AtomicFiles {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AtomicFiles.class);

    /** Writes the content of a file to the given stream (the stream must not be closed). */
    @FunctionalInterface
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    /** Fills a fresh, empty directory. */
    @FunctionalInterface
    public interface DirectoryBody {
        void fill(Path dir) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Writes {@code target} atomically; parent directories are created. */
    public static void write(Path target, StreamBody body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream raw = Channels.newOutputStream(ch);
                 OutputStream out = new java.io.BufferedOutputStream(raw, 1 << 16)) {
                body.write(new NonClosing(out));
                out.flush();
                ch.force(true);
            }
            move(tmp, abs, true);
            fsyncDirectory(parent);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Writes the bytes to {@code target} atomically. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Creates the directory {@code target} atomically: {@code body} fills a temporary sibling
     * directory, its files are fsynced, then it is renamed to {@code target}.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code target} already exists
     */
    public static void publishDirectory(Path target, DirectoryBody body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        if (Files.exists(abs)) {
            throw new java.nio.file.FileAlreadyExistsException(abs.toString());
        }
        Path tmp = Files.createTempDirectory(parent, "." + abs.getFileName() + ".");
        try {
            body.fill(tmp);
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(p)) {
                        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                            ch.force(true);
                        }
                    }
                }
            }
            move(tmp, abs, false);
            fsyncDirectory(parent);
        } catch (IOException | RuntimeException | Error e) {
            deleteRecursively(tmp);
            throw e;
        }
    }

    /**
     * Deletes the temporaries ({@code .NAME.RANDOM.tmp} files, {@code .NAME.RANDOM} directories of
     * {@link #publishDirectory}) that a process killed mid-write left in {@code dir}; call it only
     * when no other process writes there. Returns how many were removed.
     */
    public static int removeStaleTemporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                boolean tmpFile = name.startsWith(".") && name.endsWith(".tmp") && Files.isRegularFile(p);
                boolean tmpDir = name.startsWith(".") && Files.isDirectory(p) && name.matches("\\..+\\.\\d+");
                if (tmpFile || tmpDir) {
                    deleteRecursively(p);
                    LOG.info("removed {}, left by an interrupted write", p);
                    n++;
                }
            }
        }
        return n;
    }

    /** Deletes a file or directory tree if it exists. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void move(Path from, Path to, boolean replace) throws IOException {
        try {
            if (replace) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("file system of " + to + " does not support atomic rename", e);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported on every OS (e.g. Windows); the rename itself is still atomic
        }
    }

    /** Keeps the body from closing the underlying stream before the fsync. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
