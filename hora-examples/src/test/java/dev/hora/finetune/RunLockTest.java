package dev.hora.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One run per directory: a second process (a real one: the lock is the OS's) or another thread is
 * refused with the holder named; the same thread may nest; the lock goes with its holder.
 */
class RunLockTest {
    @TempDir
    Path dir;

    @Test
    void aSecondProcessIsRefusedNamingTheHolder() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolderMain.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked", r.readLine());
            IOException e = assertThrows(IOException.class, () -> RunLock.acquire(dir));
            assertTrue(e.getMessage().startsWith(dir.toString()) && e.getMessage().contains("in use by another hora "
                    + "process (pid " + p.pid() + " on host "), e.getMessage());
        } finally {
            p.getOutputStream().close();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        }
        try (RunLock lock = RunLock.acquire(dir)) {   // released when the holder ended
            assertTrue(Files.readString(dir.resolve(RunLock.FILE)).contains("pid " + ProcessHandle.current().pid()));
        }
    }

    @Test
    void nestsInOneThreadAndRefusesAnother() throws Exception {
        try (RunLock outer = RunLock.acquire(dir); RunLock inner = RunLock.acquire(dir)) {
            assertEquals(outer, inner);
            IOException e = CompletableFuture.supplyAsync(() -> {
                try {
                    RunLock.acquire(dir).close();
                    return null;
                } catch (IOException x) {
                    return x;
                }
            }).get(10, TimeUnit.SECONDS);
            assertTrue(e != null && e.getMessage().contains("in use by another run of this process"), String.valueOf(e));
        }
        try (RunLock again = RunLock.acquire(dir)) {   // both closed: free again
            assertEquals(List.of(RunLock.FILE), Files.list(dir).map(f -> f.getFileName().toString()).toList());
        }
    }
}
