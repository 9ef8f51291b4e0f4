package dev.hora.finetune;

import dev.hora.onnx.bert.Pooling;
import dev.hora.text.TokenBatcher;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Where a model's ONNX graph and tokenizer.json come from ({@code --model}, {@code --tokenizer}).
 *
 * <pre>
 * all-minilm-l6-v2            built in: the MiniLM jar on the classpath
 * path/model.onnx             the file; tokenizer: --tokenizer, else tokenizer.json or model-tokenizer.json beside it
 * path/model.jar              a jar holding exactly one *.onnx and one *tokenizer.json (e.g. a langchain4j model jar)
 * group:artifact:version      that jar in the local Maven repository (~/.m2/repository)
 * </pre>
 *
 * @param spec        the --model value as given
 * @param description where it resolved to, for messages and reports
 */
public record ModelSource(String spec, String description, Opener model, Opener tokenizer) {
    /** The built-in model name. */
    public static final String BUILTIN = "all-minilm-l6-v2";
    /** The Hugging Face hub id of the built-in model (sentence-transformers, trained with mean pooling). */
    public static final String BUILTIN_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2";

    /**
     * {@code base_model_name_or_path} of an exported adapter: the hub id of a built-in model, else
     * the model file's name ({@code group:artifact:version} as given).
     */
    public static String baseModelName(String spec) {
        if (spec.equals(BUILTIN)) {
            return BUILTIN_HUB_ID;
        }
        String l = spec.toLowerCase(java.util.Locale.ROOT);
        return l.endsWith(".onnx") || l.endsWith(".jar") ? String.valueOf(Path.of(spec).getFileName()) : spec;
    }

    /**
     * The pooling a model was trained with: [CLS] for the BGE family (a name containing "bge": the
     * built-in name or coordinates, or a model file's name or its folder's), mean pooling otherwise
     * (sentence-transformers models such as the built-in all-MiniLM-L6-v2).
     */
    public static Pooling defaultPooling(String spec) {
        String name = spec;
        if (isFile(spec)) {   // not the folders above it: an absolute path may pass through any name
            Path p = Path.of(spec);
            Path parent = p.getParent() == null ? null : p.getParent().getFileName();
            name = (parent == null ? "" : parent + "/") + p.getFileName();
        }
        return name.toLowerCase(java.util.Locale.ROOT).contains("bge") ? Pooling.CLS : Pooling.MEAN;
    }

    /**
     * The --model value as a run records it: a model file (.onnx, .jar) as an absolute, normalized
     * path, so that the run's settings resolve from any working folder; the built-in name and
     * {@code group:artifact:version} as given.
     */
    public static String recorded(String spec) {
        return isFile(spec) ? Path.of(spec).toAbsolutePath().normalize().toString() : spec;
    }

    private static boolean isFile(String spec) {
        String l = spec.toLowerCase(java.util.Locale.ROOT);
        return !spec.equals(BUILTIN) && (l.endsWith(".onnx") || l.endsWith(".jar"));
    }

    /** Opens a fresh stream on each call; the caller closes it. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    /** Opens the ONNX model. */
    public InputStream openModel() throws IOException {
        return model.open();
    }

    /** Opens the tokenizer.json. */
    public InputStream openTokenizer() throws IOException {
        return tokenizer.open();
    }

    /** A batcher from this model's tokenizer. */
    public TokenBatcher batcher(int maxLength) throws IOException {
        try (InputStream in = openTokenizer()) {
            return TokenBatcher.fromTokenizerJson(in, maxLength);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot load the tokenizer of " + description + ": " + e.getMessage(), e);
        }
    }

    /** Resolves a --model value (and an optional --tokenizer file); checks that both exist. */
    public static ModelSource resolve(String spec, Path tokenizerFile) throws IOException {
        Opener tokOverride = tokenizerFile == null ? null : file(tokenizerFile, "tokenizer");
        if (spec.equals(BUILTIN)) {
            Opener tok = resource("/all-minilm-l6-v2-tokenizer.json");
            return new ModelSource(spec, "built-in " + BUILTIN, resource("/all-minilm-l6-v2.onnx"),
                    tokOverride != null ? tokOverride : tok);
        }
        if (spec.toLowerCase(java.util.Locale.ROOT).endsWith(".onnx")) {
            Path onnx = Path.of(spec);
            Opener model = file(onnx, "model");
            if (tokOverride != null) {
                return new ModelSource(spec, onnx.toString(), model, tokOverride);
            }
            String stem = onnx.getFileName().toString().replaceAll("(?i)\\.onnx$", "");
            Path dir = onnx.toAbsolutePath().getParent();
            List<Path> tried = List.of(dir.resolve("tokenizer.json"), dir.resolve(stem + "-tokenizer.json"));
            for (Path t : tried) {
                if (Files.isRegularFile(t)) {
                    return new ModelSource(spec, onnx.toString(), model, file(t, "tokenizer"));
                }
            }
            throw new NoSuchFileException(onnx.toString(), null, "no tokenizer found beside the model (tried "
                    + tried + "); pass --tokenizer FILE");
        }
        Path jar = spec.toLowerCase(java.util.Locale.ROOT).endsWith(".jar") ? Path.of(spec) : mavenJar(spec);
        return fromJar(spec, jar, tokOverride);
    }

    private static ModelSource fromJar(String spec, Path jar, Opener tokOverride) throws IOException {
        if (!Files.isRegularFile(jar)) {
            boolean coords = !spec.toLowerCase(java.util.Locale.ROOT).endsWith(".jar");
            throw new NoSuchFileException(jar.toString(), null, "model jar not found" + (coords
                    ? " (fetch it with: mvn dependency:get -Dartifact=" + spec + " -Dtransitive=false)" : ""));
        }
        List<String> onnx = new ArrayList<>();
        List<String> tok = new ArrayList<>();
        try (ZipFile z = new ZipFile(jar.toFile())) {
            z.stream().map(ZipEntry::getName).forEach(n -> {
                if (n.endsWith(".onnx")) {
                    onnx.add(n);
                } else if (n.endsWith("tokenizer.json")) {
                    tok.add(n);
                }
            });
        } catch (IOException e) {
            throw new IOException(jar + ": not a readable jar: " + e.getMessage(), e);
        }
        if (onnx.size() != 1 || (tokOverride == null && tok.size() != 1)) {
            throw new IOException(jar + ": expected one *.onnx and one *tokenizer.json entry, found " + onnx
                    + " and " + tok);
        }
        return new ModelSource(spec, jar + "!" + onnx.get(0), entry(jar, onnx.get(0)),
                tokOverride != null ? tokOverride : entry(jar, tok.get(0)));
    }

    /** {@code group:artifact:version} to the jar in the local Maven repository. */
    static Path mavenJar(String coords) throws IOException {
        String[] p = coords.split(":");
        if (p.length != 3 || java.util.Arrays.stream(p).anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("--model '" + coords + "' is neither '" + BUILTIN
                    + "', an .onnx file, a .jar file nor group:artifact:version");
        }
        String repo = System.getProperty("maven.repo.local",
                Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        return Path.of(repo, p[0].split("\\.")).resolve(p[1]).resolve(p[2]).resolve(p[1] + "-" + p[2] + ".jar");
    }

    private static Opener resource(String name) throws IOException {
        if (ModelSource.class.getResource(name) == null) {
            throw new NoSuchFileException(name, null, "built-in model resource missing from the classpath");
        }
        return () -> ModelSource.class.getResourceAsStream(name);
    }

    private static Opener file(Path f, String what) throws IOException {
        if (!Files.isRegularFile(f)) {
            throw new NoSuchFileException(f.toString(), null, what + " file not found");
        }
        return () -> Files.newInputStream(f);
    }

    private static Opener entry(Path jar, String name) {
        return () -> {
            ZipFile z = new ZipFile(jar.toFile());
            return new FilterInputStream(z.getInputStream(z.getEntry(name))) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        z.close();
                    }
                }
            };
        };
    }
}
