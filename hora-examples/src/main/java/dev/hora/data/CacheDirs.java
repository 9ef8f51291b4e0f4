package dev.hora.data;

import java.nio.file.Path;

/**
 * Where hora caches downloads: the option if given, else env {@code HORA_CACHE_DIR}, else
 * {@code $XDG_CACHE_HOME/hora}, else {@code ~/.cache/hora}. Datasets go to {@code <root>/datasets}.
 */
public final class CacheDirs {
    /** Environment variable overriding the cache root. */
    public static final String ENV = "HORA_CACHE_DIR";

    private CacheDirs() {
    }

    /** The cache root. */
    public static Path root(Path option) {
        if (option != null) {
            return option;
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "hora");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "hora");
    }

    /** The dataset cache directory. */
    public static Path datasets(Path rootOption) {
        return root(rootOption).resolve("datasets");
    }
}
