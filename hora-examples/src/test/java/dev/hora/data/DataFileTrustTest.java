package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ambiguous data files are refused with file and line instead of being read as fewer or other rows. */
class DataFileTrustTest {
    @TempDir
    Path dir;

    @Test
    void jsonlLineWithTwoObjectsOrTrailingText() throws IOException {
        Path f = Files.writeString(dir.resolve("two.jsonl"), "{\"text\":\"a\",\"label\":1}\n"
                + "{\"text\":\"b\",\"label\":0} {\"text\":\"c\",\"label\":1}\n{\"text\":\"d\",\"label\":0} tail\n");
        var e = assertThrows(DataFormatException.class, () -> TextFileLoader.load(f));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("two.jsonl:2: invalid JSON"), e.problems().get(0));
        assertTrue(e.problems().get(1).startsWith("two.jsonl:3: invalid JSON"), e.problems().get(1));
    }

    @Test
    void jsonlKeyGivenTwice() throws IOException {
        Path f = Files.writeString(dir.resolve("dup.jsonl"), "{\"text\":\"a\",\"label\":1}\n"
                + "{\"text\":\"b\",\"label\":0,\"label\":1}\n");
        var e = assertThrows(DataFormatException.class, () -> TextFileLoader.load(f));
        assertTrue(e.problems().get(0).startsWith("dup.jsonl:2: invalid JSON: Duplicate field 'label'"), e.getMessage());
    }

    @Test
    void crOnlyLineEndingsAreNamed() throws IOException {
        Path f = Files.writeString(dir.resolve("mac.tsv"), "label\ttext\r1\tgood\r0\tbad\r");
        IOException e = assertThrows(IOException.class, () -> TextFileLoader.load(f));
        assertTrue(e.getMessage().startsWith(f + ": lines end with a carriage return only"), e.getMessage());
        // CRLF is fine
        Path g = Files.writeString(dir.resolve("dos.tsv"), "label\ttext\r\n1\tgood\r\n0\tbad\r\n");
        assertEquals(2, TextFileLoader.load(g).size());
    }
}
