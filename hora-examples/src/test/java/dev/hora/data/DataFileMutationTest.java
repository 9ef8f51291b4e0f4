package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutants of TSV and JSONL data files (bit flips, truncation, duplicated and merged lines,
 * inserted CR, tab, quote or a second JSON object). For every mutant: only an error naming the
 * file, or a data set with one example per non-blank data line of the mutant, never fewer rows
 * read silently. Mutants per format: {@code -Dhora.mutants} (default 300).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DataFileMutationTest {
    @TempDir
    Path dir;

    private static String original(boolean jsonl) {
        StringBuilder b = new StringBuilder(jsonl ? "" : "label\ttext\n");
        for (int i = 0; i < 16; i++) {
            String label = i % 2 == 0 ? "pos" : "neg";
            String text = (i % 2 == 0 ? "a fine thing " : "a poor thing ") + i;
            b.append(jsonl ? "{\"label\":\"" + label + "\",\"text\":\"" + text + "\"}" : label + "\t" + text).append('\n');
        }
        return b.toString();
    }

    private static byte[] mutate(byte[] b, Random r, boolean jsonl) {
        String s = new String(b, StandardCharsets.UTF_8);
        String[] lines = s.split("\n", -1);
        int l = r.nextInt(lines.length - 1);
        switch (r.nextInt(8)) {
            case 0 -> {
                byte[] m = b.clone();
                m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
                return m;
            }
            case 1 -> {
                return Arrays.copyOf(b, r.nextInt(b.length));
            }
            case 2 -> lines[l] = lines[l] + "\n" + lines[l];
            case 3 -> lines[l] = lines[l] + lines[l + 1 < lines.length - 1 ? l + 1 : l];   // two rows on one line
            case 4 -> lines[l] = lines[l] + "\r";
            case 5 -> lines[l] = lines[l].replaceFirst(" ", r.nextBoolean() ? "\t" : "\"");
            case 6 -> lines[l] = lines[l] + (jsonl ? " {\"label\":\"pos\",\"text\":\"x\"}" : "\ttail");
            default -> lines[l] = lines[l] + "\r" + lines[l];
        }
        return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    }

    private static long dataLines(byte[] b) {
        return new String(b, StandardCharsets.UTF_8).replace("\r\n", "\n").lines().filter(x -> !x.isBlank()).count();
    }

    private void run(boolean jsonl) throws IOException {
        Path f = dir.resolve(jsonl ? "d.jsonl" : "d.tsv");
        byte[] orig = original(jsonl).getBytes(StandardCharsets.UTF_8);
        assertEquals(16, TextFileLoader.load(Files.write(f, orig)).size());
        Random r = new Random(jsonl ? 31 : 32);
        int n = Integer.getInteger("hora.mutants", 300);
        int rejected = 0;
        int accepted = 0;
        for (int i = 0; i < n; i++) {
            byte[] m = mutate(orig, r, jsonl);
            Files.write(f, m);
            TextDataset d;
            try {
                d = TextFileLoader.load(f);
            } catch (IOException e) {
                assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
                rejected++;
                continue;
            } catch (RuntimeException e) {
                fail("mutant " + i + " escaped as " + e + ":\n" + new String(m, StandardCharsets.UTF_8), e);
                return;
            }
            long lines = dataLines(m);
            long expect = jsonl ? lines : lines - 1;   // the TSV header
            if (d.size() != expect && !(d.size() == lines && !jsonl)) {   // a mutated header may read as a row
                fail("mutant " + i + " read " + d.size() + " examples from " + lines + " non-blank lines:\n"
                        + new String(m, StandardCharsets.UTF_8));
            }
            accepted++;
        }
        System.out.printf("%s data mutants: %d, rejected %d, accepted with one example per line %d%n",
                jsonl ? "JSONL" : "TSV", n, rejected, accepted);
    }

    @Test
    void tsv() throws IOException {
        run(false);
    }

    @Test
    void jsonl() throws IOException {
        run(true);
    }
}
