package dev.hora.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.finetune.RunFolder;
import dev.hora.finetune.RunManifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run directory is trusted only when complete and unchanged (manifest, checksums, class names);
 * a diverging run stops with an error; --resume refuses a checkpoint of a different run, listing
 * what changed, without rewriting settings.json. Uses linear probes (fast) on the real MiniLM.
 */
class RunTrustTest {
    @TempDir
    static Path dir;
    static Path train;
    static Path test;
    static Path run;

    static String[] args(Path output, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--train", train.toString(), "--test", test.toString(),
                "--adapter", "none", "--epochs", "1", "--batch-size", "4", "--max-length", "16", "--lr", "5e-3",
                "--threads", "1", "--output", output.toString()));
        for (int i = 0; i < extra.length; i++) {   // an option given again replaces the default above
            int at = a.indexOf(extra[i]);
            if (at >= 0 && i + 1 < extra.length && !extra[i + 1].startsWith("--")) {
                a.set(at + 1, extra[++i]);
            } else {
                a.add(extra[i]);
            }
        }
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        StringBuilder tr = new StringBuilder("label\ttext\n");
        for (int i = 0; i < 6; i++) {
            tr.append("good\tgreat phone number ").append(i).append("\nbad\tawful phone number ").append(i).append('\n');
        }
        train = Files.writeString(dir.resolve("train.tsv"), tr);
        test = Files.writeString(dir.resolve("test.tsv"), "label\ttext\ngood\tgreat\nbad\tawful\n");
        run = dir.resolve("run");
        CliRunner r = CliRunner.run(args(run));
        assertEquals(0, r.code(), r.err());
    }

    private static Path copy(String name) throws IOException {
        Path to = dir.resolve(name);
        try (Stream<Path> files = Files.walk(run)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }

    private static void predictFails(Path runDir, String... parts) {
        CliRunner p = CliRunner.run("predict", "--model-path", runDir.toString(), "nice");
        assertEquals(1, p.code(), p.err());
        for (String part : parts) {
            assertTrue(p.err().contains(part), "'" + part + "' not in: " + p.err());
        }
    }

    @Test
    void theIntactRunPredicts() {
        CliRunner p = CliRunner.run("predict", "--model-path", run.toString(), "nice");
        assertEquals(0, p.code(), p.err());
    }

    @Test
    void aRunWithoutItsCompletionMarkerIsRefused() throws IOException {
        Path r = copy("incomplete");
        Files.delete(r.resolve(RunManifest.FILE));
        predictFails(r, r.resolve(RunManifest.FILE) + ": missing", "not a finished hora finetune run");
    }

    @Test
    void aFlippedPayloadByteIsRefused() throws IOException {
        Path r = copy("flipped");
        try (RandomAccessFile f = new RandomAccessFile(r.resolve("model.safetensors").toFile(), "rw")) {
            f.seek(f.length() - 2);
            int b = f.read();
            f.seek(f.length() - 2);
            f.write(b ^ 0x10);
        }
        predictFails(r, r.resolve("model.safetensors") + ": SHA-256", "corrupted or changed");
    }

    @Test
    void duplicateOrEmptyClassNamesAreRefused() throws IOException {
        Path r = copy("labels");
        Files.writeString(r.resolve("labels.json"), "[\"good\", \"good\"]");
        RunManifest.write(r);   // as if the run had written them: the check is on the names, not the checksum
        predictFails(r, "labels.json: class name 'good' appears twice");
        Files.writeString(r.resolve("labels.json"), "[\"good\", \" \"]");
        RunManifest.write(r);
        predictFails(r, "labels.json: class 1 has an empty name");
    }

    @Test
    void aDivergingRunStopsAndLeavesNoFinishedRun() {
        Path r = dir.resolve("diverged");
        CliRunner c = CliRunner.run(args(r, "--lr", "1e30", "--epochs", "3"));
        assertEquals(1, c.code(), c.err());
        assertTrue(c.err().contains("training diverged at step"), c.err());
        assertTrue(Files.notExists(r.resolve(RunManifest.FILE)));
        assertTrue(Files.notExists(r.resolve("model.safetensors")));
    }

    @Test
    void resumeRefusesADifferentRunAndKeepsItsSettings() throws IOException {
        Path r = copy("changed");
        byte[] settings = Files.readAllBytes(r.resolve("settings.json"));
        CliRunner c = CliRunner.run(args(r, "--resume", "--lr", "2e-3", "--seed", "7"));
        assertEquals(1, c.code(), c.err());
        assertTrue(c.err().contains("belongs to a different run"), c.err());
        assertTrue(c.err().contains("settings.lr: 0.005 -> 0.002"), c.err());
        assertTrue(c.err().contains("settings.seed: 42 -> 7"), c.err());
        assertArrayEquals(settings, Files.readAllBytes(r.resolve("settings.json")), "settings.json untouched");
        Files.writeString(train, Files.readString(train).replace("number 5", "number five"));
        try {
            c = CliRunner.run(args(r, "--resume"));
            assertEquals(1, c.code(), c.err());
            assertTrue(c.err().contains("data.train.sha256") && c.err().contains("split.train.sha256"), c.err());
            assertTrue(!c.err().contains("settings."), c.err());
        } finally {
            Files.writeString(train, Files.readString(train).replace("number five", "number 5"));
        }
    }

    /**
     * Seeded mutants of a run directory (a bit flip, truncation or deletion of one of its files,
     * manifest included): every file is in the manifest, so each mutant is refused with an error naming
     * the mutated file; only a truncation of the manifest that cuts nothing but trailing whitespace
     * (the same JSON) loads, and then gives the original labels and tensors.
     */
    @Test
    void runDirectoryMutantsAreRejectedOrIdentical() throws IOException {
        RunFolder.Loaded want = RunFolder.load(run);
        Map<String, INDArray> wantT = want.model().trainable();
        Path r = copy("mutant");
        List<String> files = new ArrayList<>(List.of(RunManifest.FILE, "settings.json", "labels.json",
                "model.safetensors", "metrics.json"));
        Random rnd = new Random(41);
        int n = Math.max(20, Integer.getInteger("hora.mutants", 300) / 10);
        int rejected = 0;
        int harmless = 0;
        for (int i = 0; i < n; i++) {
            Path f = r.resolve(files.get(rnd.nextInt(files.size())));
            byte[] orig = Files.readAllBytes(f);
            byte[] m = orig.clone();
            switch (rnd.nextInt(3)) {
                case 0 -> m[rnd.nextInt(m.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> m = Arrays.copyOf(orig, rnd.nextInt(orig.length));
                default -> m = null;
            }
            boolean sameJson = m != null && f.endsWith(RunManifest.FILE) && m.length < orig.length
                    && new String(orig, m.length, orig.length - m.length, java.nio.charset.StandardCharsets.UTF_8)
                    .isBlank();
            if (m == null) {
                Files.delete(f);
            } else {
                Files.write(f, m);
            }
            try {
                RunFolder.Loaded got = RunFolder.load(r);
                assertTrue(sameJson, f + " mutant " + i + " was accepted");
                Map<String, INDArray> t = got.model().trainable();
                assertEquals(want.labels(), got.labels(), f + " mutant " + i);
                assertEquals(wantT.keySet(), t.keySet());
                for (String k : wantT.keySet()) {
                    assertArrayEquals(wantT.get(k).dup().data().asDouble(), t.get(k).dup().data().asDouble(), 0.0, k);
                }
                harmless++;
            } catch (IOException e) {
                assertTrue(!sameJson, f + " mutant " + i + " keeps the same JSON but was refused: " + e.getMessage());
                assertTrue(e.getMessage().contains(f.toString()), f + " mutant " + i + ": " + e.getMessage());
                rejected++;
            } finally {
                Files.write(f, orig);
            }
        }
        System.out.printf("run directory mutants: %d, rejected %d, harmless %d%n", n, rejected, harmless);
    }
}
