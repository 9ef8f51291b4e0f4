package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real thing: {@code npm pack sentiment@5.0.2}. Skipped when npm is missing or cannot fetch. */
class UciSentimentNpmTest {
    @TempDir
    Path cache;

    static boolean npmAvailable() {
        try {
            Process p = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void fetchesVerifiesAndLoadsTheRealDataset() throws IOException {
        Assumptions.assumeTrue(npmAvailable(), "npm is not installed");
        NpmDatasetCache c = new NpmDatasetCache(cache, new NpmPackFetcher("npm", Duration.ofMinutes(3)));
        TextDataset all;
        try {
            all = UciSentiment.load(c);
        } catch (DatasetUnavailableException e) {
            Assumptions.assumeFalse(e.getMessage().contains("exit code"), "npm cannot fetch here: " + e.getMessage());
            throw e;
        }
        assertEquals(3000, all.size());
        assertArrayEquals(new int[] {1500, 1500}, all.classCounts());
        assertEquals("So there is no way for me to plug it in here in the US unless I go by a converter.",
                all.examples().get(0).text());
        assertEquals(0, all.examples().get(0).label());
        assertEquals("Good case, Excellent value.", all.examples().get(1).text());
        assertEquals(1, all.examples().get(1).label());
        assertTrue(Files.isRegularFile(cache.resolve("uci-sentiment-5.0.2").resolve("yelp.json")));

        Split s = StratifiedSplitter.split(all, 0.2, 42);
        assertArrayEquals(new int[] {1200, 1200}, s.train().classCounts());
        assertArrayEquals(new int[] {300, 300}, s.test().classCounts());
        var texts = new HashSet<>(s.train().texts());
        long overlap = s.test().texts().stream().filter(texts::contains).count();
        assertTrue(overlap < 20, "duplicate sentences across the split: " + overlap); // the corpus has a few
    }
}
