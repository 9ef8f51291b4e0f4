package dev.hora.data;

import java.util.Map;

/**
 * A dataset shipped inside a package fetched with {@code npm pack}, pinned by checksums.
 *
 * @param name          the built-in name; the cache sub-directory is {@link #cacheDirName()}
 * @param packageSpec   what to pass to {@code npm pack}, e.g. {@code sentiment@5.0.2}
 * @param tarballSha256 SHA-256 of the packed tarball
 * @param files         archive path (e.g. {@code package/test/fixtures/imdb.json}) to its SHA-256;
 *                      each is stored in the cache under its file name
 */
public record NpmDatasetSpec(String name, String packageSpec, String tarballSha256, Map<String, String> files) {
    public NpmDatasetSpec {
        files = Map.copyOf(files);
    }

    /** {@code NAME-VERSION}, e.g. {@code uci-sentiment-5.0.2}: a new pin never reuses an old cache. */
    public String cacheDirName() {
        return name + "-" + packageSpec.substring(packageSpec.lastIndexOf('@') + 1);
    }

    /** The file name of an archive path (the part after the last '/'). */
    public static String fileName(String archivePath) {
        return archivePath.substring(archivePath.lastIndexOf('/') + 1);
    }
}
