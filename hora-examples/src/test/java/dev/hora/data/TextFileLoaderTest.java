package dev.hora.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextFileLoaderTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void tsvWithHeaderAndStringLabels() throws IOException {
        Path f = file("a.tsv", "text\tsentiment\nGreat phone.\tpositive\nBroke in a day.\tnegative\r\nOk \"fine\".\tpositive\n\n");
        TextDataset d = TextFileLoader.load(f);
        assertEquals(List.of("negative", "positive"), d.labelNames());
        assertEquals(List.of("Great phone.", "Broke in a day.", "Ok \"fine\"."), d.texts());
        assertEquals(List.of(1, 0, 1), d.examples().stream().map(Example::label).toList());
    }

    @Test
    void csvWithQuotesCommasNewlinesAndExtraColumns() throws IOException {
        Path f = file("b.csv", "id,Label,Sentence\n1,0,\"Bad, very bad\"\n2,1,\"She said \"\"wow\"\"\nthen left\"\n3,2,plain\n");
        TextDataset d = TextFileLoader.load(f);
        assertEquals(List.of("0", "1", "2"), d.labelNames());
        assertEquals(List.of("Bad, very bad", "She said \"wow\"\nthen left", "plain"), d.texts());
        assertEquals(List.of(0, 1, 2), d.examples().stream().map(Example::label).toList());
    }

    @Test
    void jsonlWithIntegerLabels() throws IOException {
        Path f = file("c.jsonl", "{\"text\": \"good\", \"label\": 1}\n\n{\"text\": \"bad\", \"label\": 0}\n{\"label\": 1, \"text\": \"ok\"}\n");
        TextDataset d = TextFileLoader.load(f);
        assertEquals(List.of("0", "1"), d.labelNames());
        assertEquals(List.of(1, 0, 1), d.examples().stream().map(Example::label).toList());
    }

    @Test
    void headerlessTwoColumnFilesFindTheLabelColumn() throws IOException {
        TextDataset a = TextFileLoader.load(file("d.tsv", "1\tnice one\n0\tawful\n1\tgreat stuff\n"));
        assertEquals(List.of("nice one", "awful", "great stuff"), a.texts());
        TextDataset b = TextFileLoader.load(file("e.tsv", "nice one\tpos\nawful\tneg\ngreat stuff\tpos\n"));
        assertEquals(List.of("neg", "pos"), b.labelNames());
        assertEquals(List.of(1, 0, 1), b.examples().stream().map(Example::label).toList());
        var ex = assertThrows(DataFormatException.class, () -> TextFileLoader.load(file("f.tsv", "a\tb\nc\td\n")));
        assertTrue(ex.getMessage().contains("cannot tell which column"), ex.getMessage());
    }

    @Test
    void malformedRowsAreAllReportedWithFileAndLine() throws IOException {
        Path f = file("bad.tsv", "label\ttext\n1\tok\n1\ttoo\tmany\n\tno label\n0\t  \n1\tfine\n0\tx\ty\n1\ta\tb\n0\tc\td\n");
        var ex = assertThrows(DataFormatException.class, () -> TextFileLoader.load(f));
        assertEquals(6, ex.problems().size(), ex.getMessage());
        assertEquals("bad.tsv:3: expected 2 TSV columns, found 3 (a tab inside the text?)", ex.problems().get(0));
        assertEquals("bad.tsv:4: empty label", ex.problems().get(1));
        assertEquals("bad.tsv:5: empty text", ex.problems().get(2));
        assertTrue(ex.getMessage().startsWith(f + ": 6 malformed rows (first 5 shown):"), ex.getMessage());
        assertTrue(ex.getMessage().contains("bad.tsv:8:") && !ex.getMessage().contains("bad.tsv:9:"));
    }

    @Test
    void malformedCsvAndJsonl() throws IOException {
        var e1 = assertThrows(DataFormatException.class,
                () -> TextFileLoader.load(file("q.csv", "label,text\n1,\"open\n0,b\n")));
        assertEquals(List.of("q.csv:2: unterminated quote (the cell opened on this line never closes)"), e1.problems());
        var e3 = assertThrows(DataFormatException.class,
                () -> TextFileLoader.load(file("t.csv", "label,text\n\n1,\"two\nlines\"\n0,\"x\"y\n1,b\n")));
        assertEquals(1, e3.problems().size(), e3.getMessage());
        assertTrue(e3.problems().get(0).startsWith("t.csv:5: unexpected text after a closing quote"), e3.getMessage());
        var e2 = assertThrows(DataFormatException.class, () -> TextFileLoader.load(file("j.jsonl",
                "{\"text\":\"a\",\"label\":1}\n{\"text\":\"b\",\"label\":true}\nnot json\n{\"text\":3,\"label\":0}\n[1]\n")));
        assertEquals(4, e2.problems().size(), e2.getMessage());
        assertTrue(e2.problems().get(0).startsWith("j.jsonl:2: field 'label' must be a string or an integer"));
        assertTrue(e2.problems().get(1).startsWith("j.jsonl:3: invalid JSON"));
        assertTrue(e2.problems().get(2).startsWith("j.jsonl:4: field 'text' must be a string"));
        assertTrue(e2.problems().get(3).startsWith("j.jsonl:5: expected a JSON object"));
    }

    @Test
    void testFileUsesTheTrainingLabelSet() throws IOException {
        TextDataset train = TextFileLoader.load(file("tr.tsv", "label\ttext\n0\ta\n1\tb\n"));
        TextDataset test = TextFileLoader.load(file("te.tsv", "label\ttext\n1\tc\n01\td\n"), train.labelNames());
        assertEquals(List.of(1, 1), test.examples().stream().map(Example::label).toList());
        var ex = assertThrows(DataFormatException.class,
                () -> TextFileLoader.load(file("te2.tsv", "label\ttext\n2\tc\n"), train.labelNames()));
        assertEquals(List.of("te2.tsv:2: label '2' is not one of [0, 1]"), ex.problems());
    }

    @Test
    void otherProblemsAreClear() throws IOException {
        var one = assertThrows(DataFormatException.class,
                () -> TextFileLoader.load(file("one.tsv", "label\ttext\n1\ta\n1\tb\n")));
        assertTrue(one.getMessage().contains("only one class"), one.getMessage());
        var ext = assertThrows(IOException.class, () -> TextFileLoader.load(file("x.xlsx", "")));
        assertTrue(ext.getMessage().contains("x.xlsx") && ext.getMessage().contains(".tsv, .csv or .jsonl"));
        var empty = assertThrows(IOException.class, () -> TextFileLoader.load(file("e.csv", "label,text\n")));
        assertTrue(empty.getMessage().contains("no examples"), empty.getMessage());
        var missing = assertThrows(IOException.class, () -> TextFileLoader.load(dir.resolve("nope.tsv")));
        assertTrue(missing.getMessage().contains("nope.tsv"), missing.getMessage());
        var half = assertThrows(DataFormatException.class,
                () -> TextFileLoader.load(file("h.csv", "label,body\n1,a\n")));
        assertTrue(half.getMessage().contains("no text column"), half.getMessage());
    }
}
