package dev.hora.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads chosen regular files from a gzip-compressed tar archive (as made by {@code npm pack}) with
 * Apache Commons Compress (ustar prefixes, PAX and GNU long names, header checksums). Errors name
 * the archive. The whole gzip stream is read, so its CRC-32 and length are checked, and a tar cut
 * off inside a record is reported as truncated.
 */
public final class TarGzReader {
    private static final int RECORD = 512;
    private TarGzReader() {
    }

    /** Reads the regular files named in {@code wanted} (archive paths); others are skipped. */
    public static Map<String, byte[]> extract(Path archive, Set<String> wanted) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
             GzipCompressorInputStream gz = new GzipCompressorInputStream(raw);
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                if (e.isFile() && wanted.contains(e.getName())) {
                    if (e.getSize() > Integer.MAX_VALUE - 16) {
                        throw new IOException("entry " + e.getName() + " too large");
                    }
                    byte[] data = tar.readAllBytes();
                    if (data.length != e.getSize()) {
                        throw new IOException("truncated tar archive: entry " + e.getName() + " has " + data.length
                                + " of " + e.getSize() + " bytes");
                    }
                    out.put(e.getName(), data);
                }
            }
            gz.transferTo(OutputStream.nullOutputStream());   // to the gzip trailer: its CRC-32 and size are checked
            if (gz.getUncompressedCount() % RECORD != 0) {
                throw new IOException("truncated tar archive: " + gz.getUncompressedCount()
                        + " bytes is not a whole number of " + RECORD + "-byte records");
            }
            return out;
        } catch (IOException | IllegalArgumentException e) {
            String m = String.valueOf(e.getMessage());
            throw new IOException(archive + ": " + (m.toLowerCase(java.util.Locale.ROOT).contains("tar") ? m
                    : "corrupt tar.gz archive: " + m), e);
        }
    }
}
