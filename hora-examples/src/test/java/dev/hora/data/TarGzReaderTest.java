package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarGzReaderTest {
    @TempDir
    Path dir;

    private Map<String, byte[]> files() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("package/README.md", TarWriter.bytes("readme"));
        m.put("package/test/fixtures/a.json", TarWriter.bytes("[1,2,3]"));
        byte[] big = new byte[1500];
        Arrays.fill(big, (byte) 'z');
        m.put("package/test/fixtures/big.bin", big);
        m.put("package/empty.txt", new byte[0]);
        return m;
    }

    @Test
    void extractsWantedFilesWithPrefixNames() throws IOException {
        Path tgz = dir.resolve("p.tgz");
        TarWriter.write(tgz, files(), false);
        var out = TarGzReader.extract(tgz, Set.of("package/test/fixtures/a.json", "package/test/fixtures/big.bin",
                "package/empty.txt", "package/missing"));
        assertEquals(Set.of("package/test/fixtures/a.json", "package/test/fixtures/big.bin", "package/empty.txt"),
                out.keySet());
        assertArrayEquals(TarWriter.bytes("[1,2,3]"), out.get("package/test/fixtures/a.json"));
        assertArrayEquals(files().get("package/test/fixtures/big.bin"), out.get("package/test/fixtures/big.bin"));
        assertEquals(0, out.get("package/empty.txt").length);
    }

    @Test
    void readsPaxPathRecords() throws IOException {
        Path tgz = dir.resolve("pax.tgz");
        TarWriter.write(tgz, files(), true);
        var out = TarGzReader.extract(tgz, Set.of("package/test/fixtures/a.json"));
        assertArrayEquals(TarWriter.bytes("[1,2,3]"), out.get("package/test/fixtures/a.json"));
    }

    /** Corrupt headers are the tarball's pinned SHA-256's job (NpmDatasetCache); here: gzip CRC and truncation. */
    @Test
    void corruptOrTruncatedArchivesFailNamingTheFile() throws IOException {
        Path tgz = dir.resolve("p.tgz");
        TarWriter.write(tgz, files(), false);
        byte[] tar;
        try (var in = new GZIPInputStream(Files.newInputStream(tgz))) {
            tar = in.readAllBytes();
        }
        byte[] gz = Files.readAllBytes(tgz);
        gz[gz.length - 6] ^= 1;   // inside the gzip trailer's CRC-32: the stream no longer checks out
        Path bad = dir.resolve("bad.tgz");
        Files.write(bad, gz);
        var e1 = assertThrows(IOException.class, () -> TarGzReader.extract(bad, Set.of("package/README.md")));
        assertTrue(e1.getMessage().contains(bad.toString()), e1.getMessage());

        Path cut = dir.resolve("cut.tgz");
        Files.write(cut, TarWriter.gzipOf(Arrays.copyOf(tar, 512 + 700)));
        var e2 = assertThrows(IOException.class, () -> TarGzReader.extract(cut, Set.of()));
        assertTrue(e2.getMessage().contains(cut.toString()) && e2.getMessage().toLowerCase().contains("truncated"), e2.getMessage());
    }
}
