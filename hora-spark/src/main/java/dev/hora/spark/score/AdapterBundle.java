package dev.hora.spark.score;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Adapter folders as bytes, to broadcast to the executors: {@code name -> (file name -> content)}. An adapter
 * is small (MiniLM HoRA ~95K floats, ~0.4 MB with its head), so each executor gets every adapter once and
 * writes it to a local temp folder that {@link dev.hora.peft.PeftModel#loadAdapter} reads.
 */
public final class AdapterBundle implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<String, Map<String, byte[]>> adapters;
    private final long id;

    private AdapterBundle(Map<String, Map<String, byte[]>> adapters) {
        this.adapters = adapters;
        this.id = System.nanoTime() ^ ((long) adapters.hashCode() << 20);
    }

    /** No adapter (the base model or a merged model). */
    public static AdapterBundle none() {
        return new AdapterBundle(Map.of());
    }

    /** Reads the regular files of each folder (name -> folder); errors name the folder. */
    public static AdapterBundle read(Map<String, Path> folders) throws IOException {
        Map<String, Map<String, byte[]>> all = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : folders.entrySet()) {
            Path dir = e.getValue();
            if (!e.getKey().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                throw new IllegalArgumentException("adapter name '" + e.getKey() + "' (folder " + dir + "): allowed "
                        + "letters, digits, '.', '_', '-', starting with a letter or digit");
            }
            if (!Files.isDirectory(dir)) {
                throw new IOException(dir + ": adapter '" + e.getKey() + "' is not a folder (expected an adapter "
                        + "folder of hora finetune / PEFT)");
            }
            Map<String, byte[]> files = new LinkedHashMap<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : (Iterable<Path>) s.sorted()::iterator) {
                    if (Files.isRegularFile(f)) {
                        files.put(f.getFileName().toString(), Files.readAllBytes(f));
                    }
                }
            }
            all.put(e.getKey(), Collections.unmodifiableMap(files));
        }
        return new AdapterBundle(Collections.unmodifiableMap(all));
    }

    /** The adapters' names, in the order given. */
    public java.util.Set<String> names() {
        return adapters.keySet();
    }

    /** Identity of this bundle in the executors' model cache. */
    long id() {
        return id;
    }

    /** Writes every adapter to {@code dir/<name>/} and returns name -> folder. */
    Map<String, Path> writeTo(Path dir) throws IOException {
        Map<String, Path> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, byte[]>> e : adapters.entrySet()) {
            Path folder = Files.createDirectories(dir.resolve(e.getKey()));
            for (Map.Entry<String, byte[]> f : e.getValue().entrySet()) {
                Files.write(folder.resolve(f.getKey()), f.getValue());
            }
            out.put(e.getKey(), folder);
        }
        return out;
    }
}
