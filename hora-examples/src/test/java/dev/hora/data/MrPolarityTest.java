package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mr-polarity: the corpus CSV parsed from synthetic files and from a synthetic .deb built here with
 * dpkg-deb (skipped without it); the real package fetched with apt-get download (skipped without
 * the client or the network).
 */
class MrPolarityTest {
    @TempDir
    Path dir;

    static final String CSV = "\uFEFF\"1\",\"the rock is destined to be "
            + "the 21st century's new \"\" conan \"\" . \n\"\n\"-1\",\"it all feels like a sketch gone wrong . \n\"\n"
            + "\"1\",\"effective but too-tepid biopic\n\"\n";

    @Test
    void parsesTheCorpusCsv() throws IOException {
        TextDataset d = MrPolarity.parse(Files.writeString(dir.resolve("p.csv"), CSV));
        assertEquals(3, d.size());
        assertEquals("the rock is destined to be the 21st century's new \" conan \" .", d.examples().get(0).text());
        assertEquals(1, d.examples().get(0).label());
        assertEquals(0, d.examples().get(1).label());
        assertEquals(java.util.List.of("negative", "positive"), d.labelNames());
    }

    @Test
    void badRowsNameTheirLine() throws IOException {
        Path f = Files.writeString(dir.resolve("bad.csv"), "\"1\",\"fine\"\n\"0\",\"zero is no label\"\n\"1\"\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> MrPolarity.parse(f));
        assertTrue(e.getMessage().contains("bad.csv:2: label must be 1 or -1") && e.getMessage().contains("bad.csv:3"),
                e.getMessage());
    }

    @Test
    void unpacksASyntheticDebAndRejectsItsChecksum() throws Exception {
        Assumptions.assumeTrue(works("dpkg-deb", "--version"), "dpkg-deb is not installed");
        Path pkg = dir.resolve("pkg");
        Path csv = pkg.resolve(MrPolarity.ARCHIVE_PATH);
        Files.createDirectories(csv.getParent());
        Files.writeString(csv, CSV, StandardCharsets.UTF_8);
        Files.createDirectories(pkg.resolve("DEBIAN"));
        Files.writeString(pkg.resolve("DEBIAN/control"), "Package: python3-pattern\nVersion: " + MrPolarity.VERSION
                + "\nArchitecture: all\nMaintainer: test <t@example.org>\nDescription: synthetic\n");
        Path deb = dir.resolve("built.deb");
        assertEquals(0, new ProcessBuilder("dpkg-deb", "--build", "--root-owner-group", pkg.toString(), deb.toString())
                .redirectErrorStream(true).start().waitFor());
        // a fake apt-get that "downloads" the synthetic package into its working directory
        Path fakeApt = Files.writeString(dir.resolve("apt-get"), "#!/bin/sh\ncp '" + deb + "' ./python3-pattern_x_all.deb\n");
        Files.setPosixFilePermissions(fakeApt, PosixFilePermissions.fromString("rwx------"));
        DebPackageFetcher apt = new DebPackageFetcher(fakeApt.toString(), "dpkg-deb", Duration.ofMinutes(1));

        Path work = Files.createDirectories(dir.resolve("work"));
        IOException e = assertThrows(IOException.class, () -> MrPolarity.fetch(apt, work));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains(MrPolarity.DEB_SHA256),
                e.getMessage());
        Path out = dir.resolve("unpacked");
        apt.extract(deb, out);
        assertEquals(3, MrPolarity.parse(out.resolve(MrPolarity.ARCHIVE_PATH)).size());

        DatasetUnavailableException u = assertThrows(DatasetUnavailableException.class, () -> MrPolarity.load(
                new PinnedDatasetCache(dir.resolve("cache")), apt));
        assertTrue(u.getMessage().contains("checksum mismatch") && u.getMessage().contains("--train FILE"), u.getMessage());
        assertTrue(!Files.exists(dir.resolve("cache").resolve("mr-polarity-" + MrPolarity.VERSION)), "nothing published");
    }

    @Test
    void aMissingClientIsAClearError() {
        DebPackageFetcher none = new DebPackageFetcher(dir.resolve("no-apt-get").toString(), "dpkg-deb", Duration.ofSeconds(5));
        DatasetUnavailableException e = assertThrows(DatasetUnavailableException.class,
                () -> MrPolarity.load(new PinnedDatasetCache(dir.resolve("cache")), none));
        assertTrue(e.getMessage().contains("mr-polarity") && e.getMessage().contains("could not run")
                && e.getMessage().contains("apt-get"), e.getMessage());
    }

    @Test
    void fetchesTheRealPackage() throws IOException {
        Assumptions.assumeTrue(works("apt-get", "--version") && works("dpkg-deb", "--version"), "no apt-get/dpkg-deb");
        TextDataset d;
        try {
            d = MrPolarity.load(new PinnedDatasetCache(dir.resolve("cache")), DebPackageFetcher.fromEnvironment());
        } catch (DatasetUnavailableException e) {
            Assumptions.assumeFalse(e.getMessage().contains("exit code"), "apt-get cannot fetch here: " + e.getMessage());
            throw e;
        }
        assertEquals(4000, d.size());
        assertArrayEquals(new int[]{2000, 2000}, d.classCounts());
        assertTrue(d.examples().get(0).text().startsWith("the rock is destined to be the 21st century's new"));
    }

    static boolean works(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
