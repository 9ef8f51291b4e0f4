package dev.hora.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Adapter sources confined to {@code --adapter-dir}: a relative name without {@code ..}, resolved, and
 * every file under it checked after resolving symbolic links, so that no link leads out of the folder.
 */
final class SafePaths {
    private SafePaths() {
    }

    /**
     * The real path of {@code source} under {@code dir}.
     *
     * @throws ApiException 403 when it is absolute, climbs with {@code ..}, or resolves (through a
     *                      link) outside {@code dir}; 404 when it does not exist
     */
    static Path resolve(Path dir, String source) {
        if (dir == null) {
            throw ApiException.forbidden("this server has no --adapter-dir: adapters cannot be added by source");
        }
        if (source == null || source.isBlank() || source.indexOf('\0') >= 0) {
            throw ApiException.unprocessable("\"source\" must be a folder name under --adapter-dir");
        }
        Path rel;
        try {
            rel = Path.of(source);
        } catch (RuntimeException e) {
            throw ApiException.unprocessable("\"source\" is not a valid path");
        }
        if (rel.isAbsolute() || source.startsWith("/") || source.startsWith("\\")) {
            throw ApiException.forbidden("\"source\" must be relative to --adapter-dir, not an absolute path");
        }
        for (Path part : rel) {
            if (part.toString().equals("..")) {
                throw ApiException.forbidden("\"source\" must not climb out of --adapter-dir with '..'");
            }
        }
        try {
            Path base = dir.toRealPath();
            Path p = base.resolve(rel).normalize();
            if (!p.startsWith(base)) {
                throw ApiException.forbidden("\"source\" lies outside --adapter-dir");
            }
            if (!Files.exists(p)) {
                throw ApiException.notFound("no adapter folder '" + source + "' under --adapter-dir");
            }
            Path real = p.toRealPath();
            if (!real.startsWith(base)) {
                throw ApiException.forbidden("\"source\" '" + source + "' is a link out of --adapter-dir");
            }
            checkTree(base, real, source);
            return real;
        } catch (IOException e) {
            throw ApiException.unprocessable("cannot read \"source\" '" + source + "': " + e.getClass().getSimpleName());
        }
    }

    /** Every entry under {@code folder} (two levels, as a run directory has) must resolve inside {@code base}. */
    private static void checkTree(Path base, Path folder, String source) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw ApiException.unprocessable("\"source\" '" + source + "' is not a folder");
        }
        try (Stream<Path> s = Files.walk(folder, 2)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                if (!f.toRealPath().startsWith(base)) {
                    throw ApiException.forbidden("'" + source + "/" + folder.relativize(f)
                            + "' is a link out of --adapter-dir");
                }
            }
        }
    }
}
