package dev.hora.cli;

import dev.hora.finetune.FinetuneSettings;
import dev.hora.config.AdapterKind;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.io.CheckpointStore;
import dev.hora.io.SafetensorsWriter;
import dev.hora.metrics.ClassificationReport;
import dev.hora.metrics.MetricsJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class HoraCliTest {
    @TempDir
    Path dir;
    Path train;
    Path test;

    @BeforeEach
    void files() throws IOException {
        train = Files.writeString(dir.resolve("train.tsv"),
                "label\ttext\npos\tlovely\nneg\tawful\npos\tgreat\nneg\tbad\npos\tfine\nneg\tmeh\n");
        test = Files.writeString(dir.resolve("test.csv"), "text,label\nnice,pos\nterrible,neg\n\"ok, fine\",pos\n");
    }

    @Test
    void usageAndHelp() {
        CliRunner none = CliRunner.run();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("missing command"), none.err());
        CliRunner help = CliRunner.run("--help");
        assertEquals(0, help.code());
        for (String c : List.of("finetune", "compare", "evaluate", "predict", "merge", "bench")) {
            assertTrue(help.out().contains(c), help.out());
        }
        CliRunner ft = CliRunner.run("finetune", "--help");
        assertTrue(ft.out().contains("--adapter") && ft.out().contains("--layers") && ft.out().contains("--resume"));
        assertTrue(ft.out().contains("--val-fraction") && ft.out().contains("--steps") && ft.out().contains("--adapter-option"));
        CliRunner cmp = CliRunner.run("compare", "--help");
        assertEquals(0, cmp.code());
        assertTrue(cmp.out().contains("accuracy with 95 %") && !cmp.out().contains("%%") && cmp.out().contains("--match-params")
                && cmp.out().contains("--lr-grid"), cmp.out());
    }

    @Test
    void benchPrintsTheBlasAndItsGemmRate() {
        CliRunner r = CliRunner.run("bench", "--adapter", "lora", "--batch-size", "2", "--seq", "4", "--iterations", "1",
                "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*BLAS: OpenBLAS 0\\.3\\.19, core \\w+, 1 threads.*"
                + "GEMM 2048x384x1536 float: \\d+\\.\\d GFLOP/s.*"), r.out());
        assertTrue(r.out().contains("train step "), r.out());
    }

    @Test
    void finetuneResolvesWritesSettingsAndTrains() throws IOException {
        Path out = dir.resolve("run");
        CliRunner r = CliRunner.run("finetune", "--train", train.toString(), "--test", test.toString(),
                "--adapter", "mh-lora", "--rank", "4", "--targets", "v,q", "--layers", "3-5", "--lr", "5e-4",
                "--epochs", "1", "--batch-size", "16", "--max-length", "64", "--seed", "7", "--threads", "1",
                "--pooling", "CLS", "--adapter-option", "dropout=0.2", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("backend: CPU (nd4j-native), 1 threads"), r.out());
        assertTrue(r.out().contains("trainable params: ") && r.out().contains("mh-lora: "), r.out());
        assertTrue(r.out().contains("test accuracy ") && r.out().contains("peak memory"), r.out());
        assertTrue(r.out().contains("data: train 4 (neg 2, pos 2); validation 2 (neg 1, pos 1); test 3 (neg 1, pos 2)"), r.out());
        assertTrue(r.out().contains("model: built-in all-minilm-l6-v2"), r.out());
        FinetuneSettings s = FinetuneSettings.read(out.resolve(FinetuneSettings.FILE));
        assertEquals(AdapterKind.MH_LORA, s.adapter());
        assertEquals(4, s.rank());
        assertEquals(8.0, s.alpha(), "default alpha = 2 x rank");
        assertEquals(List.of("query", "value"), s.targets());
        assertEquals(List.of(3, 4, 5), s.layers());
        assertEquals(5e-4, s.lr());
        assertEquals(64, s.maxLength());
        assertEquals("cls", s.pooling(), "--pooling given (case-insensitive)");
        assertEquals("0.2", s.adapterOptions().get("dropout"), "adapter dropout trains on the kernel engine");
        assertEquals(train.toAbsolutePath().toString(), s.train());
        assertNull(s.data());
        assertEquals(out.toAbsolutePath().toString(), s.output());
        String json = Files.readString(out.resolve(FinetuneSettings.FILE));
        assertTrue(json.contains("\"adapter\" : \"mh-lora\""), json);
    }

    @Test
    void adapterNoneHasNoRankAndAllLayersIsNull() throws IOException {
        Path out = dir.resolve("probe");
        CliRunner r = CliRunner.run("finetune", "--train", train.toString(), "--adapter", "none",
                "--test-fraction", "0.34", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("data: train 2 (neg 1, pos 1); validation 2 (neg 1, pos 1); test 2 (neg 1, pos 1)"), r.out());
        assertTrue(r.out().contains("trainable params: 770 "), r.out());
        assertTrue(Files.exists(out.resolve("model.safetensors")) && !Files.exists(out.resolve("adapter")),
                "a linear probe writes its head, no adapter folder");
        FinetuneSettings s = FinetuneSettings.read(out.resolve(FinetuneSettings.FILE));
        assertNull(s.adapter(), "--adapter none: no adapter kind");
        assertEquals(0, s.rank());
        assertEquals(List.of(), s.targets());
        assertNull(s.layers());
        assertEquals("mean", s.pooling(), "the built-in MiniLM's default");
    }

    @Test
    void invalidOptionsExitWithCode2AndAMessage() {
        String[][] cases = {
            {"--rank", "0"}, {"--alpha", "-1"}, {"--targets", "query,dense"}, {"--layers", "5-3"},
            {"--adapter", "dora"}, {"--max-length", "4"}, {"--lr", "0"}, {"--epochs", "0"},
            {"--batch-size", "0"}, {"--threads", "0"}, {"--data", "imdb"}, {"--test", "x.tsv"},
            {"--test-fraction", "1.5"}, {"--train-fraction", "0"}, {"--data", "uci-sentiment", "--train", "x.tsv"},
            {"--resume"}, {"--epochs", "two"}, {"--pooling", "max"}, {"--pooling", "none"},
        };
        String[] expected = {
            "--rank", "--alpha", "'dense'", "empty layer range", "--adapter", "--max-length", "--lr",
            "--epochs", "--batch-size", "--threads", "unknown --data 'imdb'", "--test FILE needs --train",
            "--test-fraction", "--train-fraction", "not both", "no checkpoint.safetensors", "'two'", "--pooling",
            "--pooling must be mean or cls",
        };
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 3];
            args[0] = "finetune";
            args[1] = "--output";
            args[2] = dir.resolve("bad" + i).toString();
            System.arraycopy(cases[i], 0, args, 3, cases[i].length);
            CliRunner r = CliRunner.run(args);
            assertEquals(2, r.code(), String.join(" ", args) + "\n" + r.err());
            assertTrue(r.err().contains(expected[i]), "case " + i + ": " + r.err());
        }
    }

    @Test
    void aFreshRunRefusesToOverwriteACheckpoint() throws IOException {
        Path out = dir.resolve("used");
        SafetensorsWriter.write(out.resolve(CheckpointStore.FILE), Map.of("a", Nd4j.createFromArray(1f)));
        CliRunner r = CliRunner.run("finetune", "--train", train.toString(), "--output", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--resume"), r.err());
        CliRunner resumed = CliRunner.run("finetune", "--train", train.toString(), "--output", out.toString(),
                "--resume");
        assertEquals(1, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains(out.resolve(CheckpointStore.FILE).toString())
                && resumed.err().contains("not a hora checkpoint"), resumed.err());
    }

    @Test
    void builtinDataWithBrokenNpmFailsClearly() throws IOException {
        CliRunner r = CliRunner.run("finetune", "--output", dir.resolve("x").toString(),
                "--cache-dir", dir.resolve("cache").toString(), "--npm", dir.resolve("no-npm").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Built-in dataset 'uci-sentiment' is unavailable"), r.err());
        assertTrue(r.err().contains("--train FILE [--test FILE]"), r.err());
    }

    @Test
    void evaluateScoresAPredictionsFile() throws IOException {
        Path preds = Files.writeString(dir.resolve("preds.txt"), "pos\n0\nneg\n"); // truth: pos, neg, pos
        Path metrics = dir.resolve("m/metrics.json");
        CliRunner r = CliRunner.run("evaluate", "--train", train.toString(), "--test", test.toString(),
                "--predictions", preds.toString(), "--output", metrics.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("accuracy 0.6667"), r.err());
        ClassificationReport m = MetricsJson.MAPPER.readValue(metrics.toFile(), ClassificationReport.class);
        assertEquals(List.of("neg", "pos"), m.labels());
        assertEquals(2.0 / 3, m.accuracy(), 1e-12);
        // neg: P = 1/2, R = 1, F1 = 2/3; pos: P = 1, R = 1/2, F1 = 2/3
        assertEquals(2.0 / 3, m.macroF1(), 1e-12);

        Files.writeString(preds, "pos\nmaybe\n");
        CliRunner bad = CliRunner.run("evaluate", "--train", train.toString(), "--test", test.toString(),
                "--predictions", preds.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("preds.txt:2: 'maybe' is neither a label"), bad.err());
    }

    @Test
    void modelCommandsNameTheBadPath() throws IOException {
        Path missing = dir.resolve("no-run");
        CliRunner merge = CliRunner.run("merge", "--run", missing.toString(), "--output", dir.resolve("m.sd").toString());
        assertEquals(1, merge.code());
        assertTrue(merge.err().contains(missing.resolve("settings.json").toString()), merge.err());
        Path corrupt = Files.write(dir.resolve("merged.sd"), new byte[] {1, 2});
        Files.writeString(dir.resolve("merged.sd.json"), "{\"labels\": [\"a\"]}");
        CliRunner predict = CliRunner.run("predict", "--model-path", corrupt.toString(), "great phone");
        assertEquals(1, predict.code());
        assertTrue(predict.err().contains("merged.sd.json") && predict.err().contains("not a hora merged-model sidecar"),
                predict.err());
        assertEquals(2, CliRunner.run("predict").code(), "--model-path is required");
        CliRunner both = CliRunner.run("evaluate", "--train", train.toString());
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--model-path PATH or --predictions FILE"), both.err());
    }
}
