package dev.hora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.compare.CellResult;
import dev.hora.compare.RunsFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hora compare} with the real all-MiniLM-L6-v2 on tiny files: bad input fails before anything
 * runs; a 2 x 1 x 2 sweep writes runs.jsonl, summary.md and summary.png; a second start skips the
 * finished cells; a sweep may grow by variants and seeds; a resume with other settings is refused.
 */
class CompareCommandTest {
    @TempDir
    static Path dir;
    static Path train;
    static Path test;

    @BeforeAll
    static void files() throws IOException {
        StringBuilder tr = new StringBuilder("label\ttext\n");
        String[] pos = {"great phone", "I love it", "excellent food", "best ever", "wonderful", "very happy"};
        String[] neg = {"terrible", "I hated it", "awful service", "worst ever", "boring", "very sad"};
        for (int i = 0; i < pos.length; i++) {
            tr.append("pos\t").append(pos[i]).append("\nneg\t").append(neg[i]).append('\n');
        }
        train = Files.writeString(dir.resolve("train.tsv"), tr);
        test = Files.writeString(dir.resolve("test.tsv"), "label\ttext\npos\tsuperb\nneg\tpoor\npos\tnice\nneg\tbad\n");
    }

    /** The tiny sweep's options; {@code extra} replaces options of the same name or adds flags. */
    static String[] args(Path out, String... extra) {
        java.util.Map<String, String> o = new java.util.LinkedHashMap<>();
        String[] base = {"--train", train.toString(), "--test", test.toString(), "--adapters", "none,lora",
            "--fractions", "1", "--seeds", "2", "--steps", "2", "--lr-grid", "1e-3", "--batch-size", "4",
            "--max-length", "16", "--threads", "1", "--val-fraction", "0.25", "--output", out.toString()};
        for (int i = 0; i < base.length; i += 2) {
            o.put(base[i], base[i + 1]);
        }
        List<String> flags = new ArrayList<>();
        for (int i = 0; i < extra.length; i++) {
            if (i + 1 < extra.length && !extra[i + 1].startsWith("--")) {
                o.put(extra[i], extra[++i]);
            } else {
                flags.add(extra[i]);
            }
        }
        List<String> a = new ArrayList<>(List.of("compare"));
        o.forEach((k, v) -> {
            a.add(k);
            a.add(v);
        });
        a.addAll(flags);
        return a.toArray(String[]::new);
    }

    @Test
    void badInputFailsBeforeAnythingRuns() {
        Path out = dir.resolve("bad");
        String[][] cases = {
            {"--fractions", "0,0.5"}, {"--fractions", "1.5"}, {"--seeds", "1"}, {"--adapters", "hora:width=3"},
            {"--adapters", "lora,lora"}, {"--lr-grid", "1e-3,x"}, {"--fractions", "0.5", "--lr-fraction", "0.1"},
            {"--match-params"}, {"--val-fraction", "0"}, {"--train-fraction", "0.5"}, {"--seeds-at", "0.5=2"},
            {"--seeds-at", "1=1"}, {"--seeds-at", "1"}, {"--seeds-at", "1=2,1=3"}
        };
        for (String[] c : cases) {
            CliRunner r = CliRunner.run(args(out, c));
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains("hora compare: error:"), r.err());
        }
        CliRunner small = CliRunner.run(args(out, "--fractions", "0.2"));   // 0.2 of 6 per class: 1 example
        assertEquals(2, small.code(), small.err());
        assertTrue(small.err().contains("too small for the validation split") && small.err().contains("fraction 0.2"),
                small.err());
        assertFalse(Files.exists(out.resolve(RunsFile.NAME)), "nothing ran");
    }

    @Test
    void aSweepWritesItsFilesAndResumes() throws IOException {
        Path out = dir.resolve("sweep");
        CliRunner first = CliRunner.run(args(out));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.err().contains("compare [4/4]") && first.err().contains("ETA"), first.err());
        List<CellResult> cells = new RunsFile(out).read();
        assertEquals(4, cells.size());
        for (CellResult c : cells) {
            assertEquals(2, c.steps(), "equal budget");
            assertEquals(8, c.trainExamples());
            assertEquals(4, c.validationExamples(), "0.25 of 6 per class, rounded: 2 per class");
            assertEquals(4, c.testExamples());
            assertTrue(c.trainableParams() > 0);
        }
        assertEquals(770, cells.stream().filter(c -> c.variant().equals("none")).findFirst().get().trainableParams());
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("## Test accuracy") && md.contains("| lora |") && md.contains("(n=2)"), md);
        BufferedImage png = ImageIO.read(out.resolve("summary.png").toFile());
        assertEquals(1000, png.getWidth());

        CliRunner again = CliRunner.run(args(out));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("4 already in") && !again.err().contains("compare [1/4]"), again.err());
        assertEquals(4, new RunsFile(out).read().size(), "finished cells are skipped");

        CliRunner other = CliRunner.run(args(out, "--steps", "3"));
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("other settings") && other.err().contains("steps 2 -> 3"), other.err());

        Path part = dir.resolve("part");   // a smaller sweep over lines gathered from this one: counts its own cells
        Files.createDirectories(part);
        Files.copy(out.resolve(RunsFile.NAME), part.resolve(RunsFile.NAME));
        CliRunner smaller = CliRunner.run(args(part, "--adapters", "lora"));
        assertEquals(0, smaller.code(), smaller.err());
        assertTrue(smaller.err().contains("compare: 2 cells") && smaller.err().contains("; 2 already in")
                && !smaller.err().contains("compare [1"), smaller.err());
    }

    @Test
    void aSweepGrowsByVariantsAndSeedsButKeepsWhatItHas() throws IOException {
        Path out = dir.resolve("grow");
        assertEquals(0, CliRunner.run(args(out)).code());
        List<CellResult> before = new RunsFile(out).read();

        CliRunner grown = CliRunner.run(args(out, "--adapters", "none,lora,mh-lora", "--seeds", "3"));
        assertEquals(0, grown.code(), grown.err());
        assertTrue(grown.err().contains("growing the sweep") && grown.err().contains("4 already in"), grown.err());
        List<CellResult> after = new RunsFile(out).read();
        assertEquals(9, after.size(), "3 variants x 3 seeds; the 4 finished cells are not run again");
        assertEquals(before, after.subList(0, 4));
        assertEquals(2, after.subList(4, 9).stream().filter(c -> !c.variant().equals("mh-lora")).count(),
                "seed 3 of none and lora; the rest are mh-lora");
        assertTrue(Files.readString(out.resolve("sweep.json")).contains("mh-lora"), "sweep.json records the growth");
        assertTrue(Files.readString(out.resolve("summary.md")).contains("| mh-lora |"));

        CliRunner dropped = CliRunner.run(args(out, "--adapters", "none,mh-lora", "--seeds", "3"));
        assertEquals(2, dropped.code(), dropped.err());
        assertTrue(dropped.err().contains("dropped [lora]"), dropped.err());
        CliRunner fewer = CliRunner.run(args(out, "--adapters", "none,lora,mh-lora", "--seeds", "2"));
        assertEquals(2, fewer.code(), fewer.err());
        assertTrue(fewer.err().contains("seeds at fraction 1.0 3 -> 2"), fewer.err());
        CliRunner fewerAt = CliRunner.run(args(out, "--adapters", "none,lora,mh-lora", "--seeds", "4", "--seeds-at", "1=2"));
        assertEquals(2, fewerAt.code(), fewerAt.err());
        assertTrue(fewerAt.err().contains("seeds at fraction 1.0 3 -> 2"), fewerAt.err());
        assertEquals(9, new RunsFile(out).read().size(), "a refused resume loses nothing");

        CliRunner same = CliRunner.run(args(out, "--adapters", "none,lora,mh-lora", "--seeds", "4", "--seeds-at", "1=3"));
        assertEquals(0, same.code(), same.err());
        assertTrue(same.err().contains("compare: 9 cells") && !same.err().contains("compare [1"), "--seeds-at 1=3 keeps "
                + "fraction 1 at seeds 1-3: nothing to run; " + same.err());
        assertTrue(Files.readString(out.resolve("summary.md")).contains("Seeds 1-4 (at 100 %: 1-3)"));

        Files.delete(out.resolve("summary.md"));
        CliRunner summary = CliRunner.run(args(out, "--adapters", "none,lora,mh-lora,hora", "--seeds", "4",
                "--seeds-at", "1=3", "--summary-only"));
        assertEquals(0, summary.code(), summary.err());
        assertEquals(9, new RunsFile(out).read().size(), "--summary-only runs nothing");
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("| mh-lora |") && md.contains("(n=3)") && md.contains("| hora | - | - | - |")
                && summary.err().contains("nothing run"), md);
    }

    @Test
    void aCellIsEvaluatedOnTheSweepsTestSplit() throws IOException {
        Path out = dir.resolve("held-out");
        List<String> a = new ArrayList<>(List.of("compare", "--train", train.toString(), "--test-fraction", "0.34",
                "--split-seed", "7", "--adapters", "lora", "--fractions", "1", "--seeds", "2", "--steps", "2",
                "--lr-grid", "1e-3", "--batch-size", "4", "--max-length", "16", "--threads", "1", "--val-fraction",
                "0.25", "--output", out.toString()));
        CliRunner sweep = CliRunner.run(a.toArray(String[]::new));
        assertEquals(0, sweep.code(), sweep.err());
        for (CellResult c : new RunsFile(out).read()) {
            Path cell;
            try (var dirs = Files.list(out.resolve("cells"))) {
                cell = dirs.filter(d -> d.getFileName().toString().contains("-s" + c.seed() + "-")).findFirst().orElseThrow();
            }
            dev.hora.finetune.FinetuneSettings s = dev.hora.finetune.FinetuneSettings.read(
                    cell.resolve(dev.hora.finetune.FinetuneSettings.FILE));
            assertEquals(c.seed(), s.seed());
            assertEquals(7L, s.testSplitSeed(), "the cell records the sweep's test split, not its own seed");
            CliRunner ev = CliRunner.run("evaluate", "--model-path", cell.toString());
            assertEquals(0, ev.code(), ev.err());
            com.fasterxml.jackson.databind.JsonNode j = dev.hora.metrics.MetricsJson.MAPPER.readTree(ev.out());
            assertEquals(c.testAccuracy(), j.get("accuracy").asDouble(), 1e-12, "evaluate scores the cell's own test split: " + ev.out());
        }
    }
}
