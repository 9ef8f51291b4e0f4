package dev.hora.dl4j;

import dev.hora.backbone.BertBackbone;
import dev.hora.data.Sha256;
import dev.hora.finetune.ModelSource;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The frozen encoders of {@link PretrainedEncoder} layers, loaded once per JVM and shared:
 * <pre>
 *   source (built-in name | model.onnx | model.jar | group:artifact:version)  --read, SHA-256-->  sha
 *   sha -> ImportedBert (one import)      (sha, data type) -> BertBackbone (one copy of the weights per type)
 * </pre>
 * Every layer (and every {@code ParallelWrapper} worker's copy of a network) whose configuration
 * names the same encoder bytes runs on the same backbone, which is immutable and thread-safe. A
 * source's SHA-256 is computed once per state of its file (path, size, modification time).
 */
public final class Encoders {
    private static final Map<String, String> SHA_BY_SOURCE = new ConcurrentHashMap<>();
    private static final Map<String, ImportedBert> BY_SHA = new ConcurrentHashMap<>();
    private static final Map<String, BertBackbone> BACKBONES = new ConcurrentHashMap<>();

    private Encoders() {
    }

    /**
     * The SHA-256 (64 lowercase hex digits) of the ONNX bytes {@code source} names; reads and imports
     * the encoder on first use.
     *
     * @throws UncheckedIOException naming the source when it cannot be read
     */
    public static String sha256(String source) {
        return SHA_BY_SOURCE.computeIfAbsent(stateKey(source), k -> {
            byte[] bytes = read(source);
            String sha = Sha256.of(bytes);
            try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                BY_SHA.computeIfAbsent(sha, s -> BertOnnx.fromBytes(source, bytes));
            }
            return sha;
        });
    }

    /** The imported encoder of {@code source}, refused when its bytes are not the ones {@code sha256} names. */
    public static ImportedBert bert(String source, String sha256) {
        String now = sha256(source);
        if (!now.equals(sha256)) {
            throw new IllegalStateException("encoder '" + source + "': its SHA-256 is " + now + ", but the network"
                    + " was built with the encoder of SHA-256 " + sha256 + ": the file was replaced (its outputs and"
                    + " the trained adapter would not match); restore the original encoder or rebuild the network");
        }
        return BY_SHA.get(now);
    }

    /** The shared backbone of {@link #bert} computing in {@code type} (FLOAT: the imported arrays themselves). */
    public static BertBackbone backbone(String source, String sha256, DataType type) {
        ImportedBert b = bert(source, sha256);
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {   // shared: never in a workspace
            return BACKBONES.computeIfAbsent(sha256 + "/" + type, k -> new BertBackbone(b.config(), b.weights(), type));
        }
    }

    /** A source plus the state of its file, so that a replaced file is hashed again. */
    private static String stateKey(String source) {
        Path p = file(source);
        try {
            return p == null || !Files.isRegularFile(p) ? source
                    : source + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return source;
        }
    }

    private static Path file(String source) {
        String l = source.toLowerCase(Locale.ROOT);
        return l.endsWith(".onnx") || l.endsWith(".jar") ? Path.of(source) : null;
    }

    /** The ONNX bytes: an .onnx file directly, else through {@link ModelSource} (built-in, jar, Maven coordinates). */
    private static byte[] read(String source) {
        try {
            if (source.toLowerCase(Locale.ROOT).endsWith(".onnx")) {
                return Files.readAllBytes(Path.of(source));
            }
            try (InputStream in = ModelSource.resolve(source, null).openModel()) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("encoder '" + source + "' cannot be read: " + e.getMessage(), e);
        }
    }
}
