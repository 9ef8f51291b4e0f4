package dev.hora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.data.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run (or merged model) is used only with the base model and tokenizer it was trained with:
 * predict, evaluate and merge refuse a replaced file, naming both SHA-256 (the run's fingerprint
 * records them, --resume checked them, but the consumers used to take whatever file was there).
 */
class BaseModelCheckTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path tokenizer;
    static Path run;
    static Path merged;

    @BeforeAll
    static void trainAndMerge() throws IOException {
        Path base = Files.createDirectories(dir.resolve("base"));
        model = base.resolve("minilm.onnx");
        tokenizer = base.resolve("tokenizer.json");
        for (String[] r : new String[][]{{"/all-minilm-l6-v2.onnx", "minilm.onnx"},
            {"/all-minilm-l6-v2-tokenizer.json", "tokenizer.json"}}) {
            try (InputStream in = BaseModelCheckTest.class.getResourceAsStream(r[0])) {
                Files.copy(in, base.resolve(r[1]));
            }
        }
        Path[] d = RunDirs.data(dir);
        run = dir.resolve("run");
        CliRunner r = CliRunner.run(RunDirs.probe(d[0], d[1], run, "--model", model.toString()));
        assertEquals(0, r.code(), r.err());
        merged = dir.resolve("merged.sd");
        r = CliRunner.run("merge", "--run", run.toString(), "--output", merged.toString());
        assertEquals(0, r.code(), r.err());
    }

    /** Runs {@code args} with {@code file} replaced by an edited copy (same JSON / ONNX, other bytes), then restores it. */
    private static void refusedWith(Path file, String... args) throws IOException {
        Path orig = Files.copy(file, dir.resolve(file.getFileName() + ".orig"), StandardCopyOption.REPLACE_EXISTING);
        String before = Sha256.of(file);
        try {
            if (file.equals(tokenizer)) {
                Files.writeString(file, Files.readString(file) + "\n");
            } else {   // a trailing unknown protobuf field: the same graph and weights, other bytes
                Files.write(file, new byte[]{(byte) 0xf8, 0x3f, 0x01}, java.nio.file.StandardOpenOption.APPEND);
            }
            String after = Sha256.of(file);
            CliRunner r = CliRunner.run(args);
            assertEquals(1, r.code(), r.err());
            assertTrue(r.err().contains("SHA-256 is " + after + ", but the run was trained with " + before)
                    && r.err().contains("replaced after training"), r.err());
        } finally {
            Files.copy(orig, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void theIntactRunAndMergedModelPredict() {
        assertEquals(0, CliRunner.run("predict", "--model-path", run.toString(), "nice").code());
        assertEquals(0, CliRunner.run("predict", "--model-path", merged.toString(), "nice").code());
    }

    @Test
    void aReplacedTokenizerIsRefusedByEveryConsumer() throws IOException {
        refusedWith(tokenizer, "predict", "--model-path", run.toString(), "nice");
        refusedWith(tokenizer, "evaluate", "--model-path", run.toString());
        refusedWith(tokenizer, "predict", "--model-path", merged.toString(), "nice");
    }

    @Test
    void aReplacedModelIsRefusedByEveryConsumer() throws IOException {
        refusedWith(model, "predict", "--model-path", run.toString(), "nice");
        refusedWith(model, "merge", "--run", run.toString(), "--output", dir.resolve("m2.sd").toString());
        assertTrue(Files.notExists(dir.resolve("m2.sd")));
    }
}
