package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> list() throws IOException {
        try (var s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void failingWriterLeavesThePreviousFileAndNoTemp() throws IOException {
        Path f = dir.resolve("ckpt.bin");
        AtomicFiles.writeBytes(f, new byte[] {1, 2, 3});
        var ex = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));
        assertEquals(f.toAbsolutePath() + ": cannot write: disk full (simulated)", ex.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        assertEquals(List.of(f), list());
    }

    /** The errors of a full disk, a directory in the way and a file in the way name the path and the operation. */
    @Test
    void ioErrorsNameThePathTheOperationAndTheSpaceLeft() throws IOException {
        Path f = dir.resolve("model.safetensors");
        var ex = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[4096]);
            throw new java.nio.file.FileSystemException(null, null, "No space left on device");
        }));
        assertTrue(ex.getMessage().startsWith(f.toAbsolutePath() + ": cannot write: No space left on device (the write "
                + "had reached 4096 bytes; "), ex.getMessage());
        assertTrue(ex.getMessage().contains(" bytes left on ") && ex.getMessage().contains("previous file is unchanged"),
                ex.getMessage());
        Path d = Files.createDirectories(dir.resolve("metrics.json"));
        ex = assertThrows(IOException.class, () -> AtomicFiles.writeBytes(d, new byte[] {1}));
        assertEquals(d.toAbsolutePath() + ": cannot write the file: a directory of that name exists", ex.getMessage());
        Path file = Files.writeString(dir.resolve("out"), "x");
        ex = assertThrows(IOException.class, () -> AtomicFiles.writeBytes(file.resolve("a.json"), new byte[] {1}));
        assertEquals(file.toAbsolutePath() + ": cannot create the directory: a file of that name exists", ex.getMessage());
        ex = assertThrows(IOException.class, () -> AtomicFiles.publishDirectory(file, x -> { }));
        assertTrue(ex.getMessage().contains(file.toAbsolutePath() + ": already exists; choose another path"), ex.getMessage());
        assertEquals(List.of(d, file), list().stream().sorted().toList());
    }

    @Test
    void killedWriterProcessLeavesThePreviousFileReadable() throws Exception {
        Path f = dir.resolve("ckpt.bin");
        AtomicFiles.writeBytes(f, "old".getBytes());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SlowWriterMain.class.getName(), f.toString()).redirectErrorStream(true).start();
        try {
            Path tmp = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (tmp == null && System.nanoTime() < deadline) {
                for (Path q : list()) {
                    if (!q.equals(f) && Files.size(q) >= (1 << 20)) {
                        tmp = q;
                    }
                }
                Thread.sleep(20);
            }
            assertTrue(tmp != null, "child never reached the middle of its write");
            assertTrue(tmp.getFileName().toString().startsWith(".ckpt.bin."), tmp.toString());
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        assertFalse(p.isAlive());
        assertEquals("old", Files.readString(f));
        // the next save still works and replaces the file
        AtomicFiles.writeBytes(f, "new".getBytes());
        assertEquals("new", Files.readString(f));
    }

    @Test
    void publishDirectoryIsAllOrNothing() throws IOException {
        Path target = dir.resolve("cache").resolve("set");
        assertThrows(IOException.class, () -> AtomicFiles.publishDirectory(target, d -> {
            Files.writeString(d.resolve("a.txt"), "half");
            throw new IOException("fetch failed");
        }));
        assertFalse(Files.exists(target));
        try (var s = Files.list(target.getParent())) {
            assertEquals(0, s.count(), "temp dir removed");
        }
        AtomicFiles.publishDirectory(target, d -> Files.writeString(d.resolve("a.txt"), "full"));
        assertEquals("full", Files.readString(target.resolve("a.txt")));
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> AtomicFiles.publishDirectory(target, d -> { }));
    }

    /** Outputs get the permissions of any new file here (the umask's), not createTempFile's owner-only 0600. */
    @Test
    void outputsFollowTheUmask(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path plain = java.nio.file.Files.createFile(dir.resolve("plain"));
        java.nio.file.Files.createDirectory(dir.resolve("plainDir"));
        AtomicFiles.writeBytes(dir.resolve("a.bin"), new byte[]{1});
        AtomicFiles.writePath(dir.resolve("b.bin"), p -> java.nio.file.Files.write(p, new byte[]{2}));
        AtomicFiles.publishDirectory(dir.resolve("d"), d -> java.nio.file.Files.write(d.resolve("x"), new byte[]{3}));
        var want = java.nio.file.Files.getPosixFilePermissions(plain);
        assertEquals(want, java.nio.file.Files.getPosixFilePermissions(dir.resolve("a.bin")));
        assertEquals(want, java.nio.file.Files.getPosixFilePermissions(dir.resolve("b.bin")));
        assertEquals(java.nio.file.Files.getPosixFilePermissions(dir.resolve("plainDir")),
                java.nio.file.Files.getPosixFilePermissions(dir.resolve("d")));
        assertEquals(2, java.nio.file.Files.readAllBytes(dir.resolve("b.bin"))[0]);
    }

    /** Only the temporaries of the named files go: a user's .notes.tmp (or .settings.json.tmp) stays. */
    @Test
    void staleTemporariesOfOtherNamesStay() throws IOException {
        Path own = Files.writeString(dir.resolve(".model.safetensors.3k9x0a1b2c.tmp"), "partial");
        Path ownDir = Files.createDirectory(dir.resolve(".adapter.zz1.tmp"));
        List<Path> theirs = List.of(Files.writeString(dir.resolve(".notes.tmp"), "mine"),
                Files.writeString(dir.resolve(".settings.json.tmp"), "mine"),
                Files.writeString(dir.resolve(".model.safetensors.BACKUP.tmp"), "mine"),
                Files.writeString(dir.resolve(".other.abc.tmp"), "mine"));
        assertEquals(2, AtomicFiles.removeStaleTemporaries(dir, List.of("model.safetensors", "adapter")));
        assertFalse(Files.exists(own) || Files.exists(ownDir));
        for (Path p : theirs) {
            assertEquals("mine", Files.readString(p), p.toString());
        }
    }
}
