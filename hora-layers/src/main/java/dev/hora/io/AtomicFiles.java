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
 * {@code .tmp} sibling is left behind and the target is untouched. Files and directories are
 * created with the default permissions (the user's umask applies), not the owner-only ones of
 * {@code Files.createTempFile}.
 */
public final class AtomicFiles {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AtomicFiles.class);
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** Writes the content of a file to the given stream (the stream must not be closed). */
    @FunctionalInterface
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    /** Writes the content of a file given its path (for libraries that only write to a path). */
    @FunctionalInterface
    public interface PathBody {
        void write(Path file) throws IOException;
    }

    /** Fills a fresh, empty directory. */
    @FunctionalInterface
    public interface DirectoryBody {
        void fill(Path dir) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically; parent directories are created.
     *
     * @throws IOException naming the path and the operation; for a full disk also the bytes the
     *                     write had reached and the space left
     */
    public static void write(Path target, StreamBody body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        createDirectories(parent);
        if (Files.isDirectory(abs)) {
            throw new IOException(abs + ": cannot write the file: a directory of that name exists");
        }
        Path tmp;
        try {
            tmp = sibling(parent, abs, false);
        } catch (IOException e) {
            throw failure(abs, "create a temporary file next to it", e, 0);
        }
        long[] written = {0};
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream raw = Channels.newOutputStream(ch);
                 OutputStream out = new java.io.BufferedOutputStream(raw, 1 << 16)) {
                body.write(new NonClosing(out, written));
                out.flush();
                ch.force(true);
            } catch (IOException e) {
                throw failure(abs, "write", e, written[0]);
            }
            move(tmp, abs, true);
            fsyncDirectory(parent);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void createDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException(dir + ": cannot create the directory: a file of that name exists", e);
        } catch (IOException e) {
            throw failure(dir, "create the directory", e, 0);
        }
    }

    /** An I/O error as "PATH: cannot OPERATION: reason", with the space left when the disk is full. */
    static IOException failure(Path path, String operation, IOException e, long written) {
        String reason = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage();
        StringBuilder m = new StringBuilder(path + ": cannot " + operation + ": " + reason);
        if (reason != null && reason.contains("No space left")) {
            try {
                java.nio.file.FileStore store = Files.getFileStore(path.getParent());
                m.append(" (the write had reached ").append(written).append(" bytes; ").append(store.getUsableSpace())
                        .append(" bytes left on ").append(store).append("; free some space and retry");
                m.append(", the previous file is unchanged)");
            } catch (IOException ignored) {
                m.append(" (free some space and retry; the previous file is unchanged)");
            }
        }
        return new IOException(m.toString(), e);
    }

    /**
     * Writes {@code target} atomically through a path: {@code body} writes a temporary sibling
     * (which exists, empty, when it is called), which is fsynced and renamed.
     */
    public static void writePath(Path target, PathBody body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path parent = abs.getParent();
        Files.createDirectories(parent);
        Path tmp = sibling(parent, abs, false);
        try {
            body.write(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            move(tmp, abs, true);
            fsyncDirectory(parent);
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /**
     * A new, empty, uniquely named hidden directory in {@code parent} with default permissions
     * (for work files the caller deletes).
     */
    public static Path workDirectory(Path parent, String prefix) throws IOException {
        Files.createDirectories(parent);
        return sibling(parent.toAbsolutePath(), parent.toAbsolutePath().resolve(prefix), true);
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
        createDirectories(parent);
        if (Files.exists(abs)) {
            throw new java.nio.file.FileAlreadyExistsException(abs.toString(), null,
                    "already exists; choose another path or remove it first");
        }
        Path tmp = sibling(parent, abs, true);
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
     * Deletes the temporaries ({@code .NAME.RANDOM.tmp} files and directories, RANDOM as {@link #sibling}
     * makes it) that a process killed mid-write of one of {@code names} left in {@code dir}; a file of
     * any other name, such as a user's {@code .notes.tmp}, is left alone. Call it only when no other
     * process writes there. Returns how many were removed.
     */
    public static int removeStaleTemporaries(Path dir, java.util.Collection<String> names) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int n = 0;
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                int dot = name.length() - ".tmp".length();
                int mid = dot > 1 ? name.lastIndexOf('.', dot - 1) : -1;
                if (name.startsWith(".") && name.endsWith(".tmp") && mid > 1
                        && names.contains(name.substring(1, mid))
                        && name.substring(mid + 1, dot).matches("[0-9a-z]{1,13}")) {
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

    /** {@code .NAME.RANDOM.tmp} in {@code parent}, created (file or directory) with default permissions. */
    private static Path sibling(Path parent, Path target, boolean directory) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(RANDOM.nextLong(), 36);
            Path p = parent.resolve("." + target.getFileName() + "." + random + ".tmp");
            try {
                return directory ? Files.createDirectory(p) : Files.createFile(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
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
        } catch (IOException e) {
            throw failure(to, "replace it with the new content (rename from " + from.getFileName() + ")", e, 0);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not supported on every OS (e.g. Windows); the rename itself is still atomic
        }
    }

    /** Keeps the body from closing the underlying stream before the fsync; counts the bytes written. */
    private static final class NonClosing extends FilterOutputStream {
        private final long[] written;

        NonClosing(OutputStream out, long[] written) {
            super(out);
            this.written = written;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written[0]++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written[0] += len;
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
