package dev.hora.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.finetune.LockHolderMain;
import dev.hora.finetune.RunLock;
import dev.hora.finetune.RunManifest;
import dev.hora.metrics.MetricsJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run loses nothing: it never writes into a directory it did not create (the user's files and
 * temporaries stay), one process at a time holds a run directory, a finished run whose resume
 * fails stays loadable, and a run resumes after its data file moved (same bytes).
 */
class RunSafetyTest {
    @TempDir
    static Path dir;
    static Path train;
    static Path test;
    static Path run;

    @BeforeAll
    static void trainOnce() throws IOException {
        Path[] d = RunDirs.data(dir);
        train = d[0];
        test = d[1];
        run = dir.resolve("run");
        CliRunner r = CliRunner.run(RunDirs.probe(train, test, run));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aDirectoryOfTheUsersIsNeitherWrittenNorCleaned() throws IOException {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Path settings = Files.writeString(mine.resolve("settings.json"), "{\"theme\": \"dark\"}");
        Path tmp = Files.writeString(mine.resolve(".notes.tmp"), "draft");
        CliRunner r = CliRunner.run(RunDirs.probe(train, test, mine));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--output " + mine + " is an existing directory that is not empty (.notes.tmp, "
                + "settings.json)"), r.err());
        assertEquals("{\"theme\": \"dark\"}", Files.readString(settings));
        assertEquals("draft", Files.readString(tmp));
        assertFalse(Files.exists(mine.resolve(RunLock.FILE)), "not even the lock file is written");

        Path cwd = Path.of("").toAbsolutePath();   // --output "": the current directory
        boolean hadLock = Files.exists(cwd.resolve(RunLock.FILE));
        r = CliRunner.run(RunDirs.probe(train, test, Path.of("")));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--output " + cwd + " is an existing directory that is not empty"), r.err());
        assertEquals(hadLock, Files.exists(cwd.resolve(RunLock.FILE)));

        Path empty = Files.createDirectories(dir.resolve("empty"));   // nothing to lose: a run may use it
        r = CliRunner.run(RunDirs.probe(train, test, empty));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void aSecondProcessCannotResumeTheSameRun() throws Exception {
        Path r = RunDirs.copy(run, dir.resolve("locked"));
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LockHolderMain.class.getName(), r.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals("locked", new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8)).readLine());
            CliRunner c = CliRunner.run(RunDirs.probe(train, test, r, "--resume"));
            assertEquals(1, c.code(), c.err());
            assertTrue(c.err().contains(r + ": in use by another hora process (pid " + holder.pid()), c.err());
        } finally {
            holder.getOutputStream().close();
            assertTrue(holder.waitFor(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFinishedRunWhoseResumeFailsStaysLoadable() throws IOException {
        Path r = RunDirs.copy(run, dir.resolve("finished"));
        byte[] manifest = Files.readAllBytes(r.resolve(RunManifest.FILE));
        CliRunner c = CliRunner.run(RunDirs.probe(train, test, r, "--resume", "--seed", "7"));
        assertEquals(1, c.code(), c.err());
        assertTrue(c.err().contains("belongs to a different run"), c.err());
        assertArrayEquals(manifest, Files.readAllBytes(r.resolve(RunManifest.FILE)));
        CliRunner p = CliRunner.run("predict", "--model-path", r.toString(), "nice");
        assertEquals(0, p.code(), p.err());
    }

    @Test
    void aRunResumesAfterItsDataFileMoved() throws IOException {
        Path r = RunDirs.copy(run, dir.resolve("moved"));
        Path moved = Files.copy(train, Files.createDirectories(dir.resolve("elsewhere")).resolve("train.tsv"));
        CliRunner c = CliRunner.run(RunDirs.probe(moved, test, r, "--resume"));
        assertEquals(0, c.code(), c.err());
        assertEquals(moved.toString(), MetricsJson.MAPPER.readTree(r.resolve("settings.json").toFile())
                .get("train").asText(), "settings.json names the file the run was resumed from");
        assertEquals(0, CliRunner.run("evaluate", "--model-path", r.toString()).code());
    }
}
