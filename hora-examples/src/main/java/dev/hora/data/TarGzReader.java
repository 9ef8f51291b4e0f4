package dev.hora.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * A minimal reader for gzip-compressed ustar archives (as made by {@code npm pack}): regular files
 * only, names from the ustar prefix + name or a PAX {@code path} record; header checksums checked.
 *
 * <pre>
 * 512-byte header: name[0,100) size[124,136) octal, chksum[148,156), type[156], magic[257,263), prefix[345,500)
 * then ceil(size / 512) data blocks; two zero blocks end the archive
 * </pre>
 */
public final class TarGzReader {
    private static final int BLOCK = 512;

    private TarGzReader() {
    }

    /** Reads the regular files named in {@code wanted} (archive paths); others are skipped. */
    public static Map<String, byte[]> extract(Path archive, Set<String> wanted) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream raw = Files.newInputStream(archive);
             DataInputStream in = new DataInputStream(new GZIPInputStream(new BufferedInputStream(raw), 1 << 16))) {
            byte[] header = new byte[BLOCK];
            String paxPath = null;
            while (true) {
                try {
                    in.readFully(header);
                } catch (EOFException e) {
                    throw new IOException(archive + ": truncated tar archive (no end marker)", e);
                }
                if (isZero(header)) {
                    return out;
                }
                checkChecksum(archive, header);
                long size = octal(archive, header, 124, 12);
                char type = (char) header[156];
                String name = paxPath != null ? paxPath : name(header);
                paxPath = null;
                byte[] data = null;
                if (type == 'x' || ((type == '0' || type == '\0') && wanted.contains(name))) {
                    if (size > Integer.MAX_VALUE - 16) {
                        throw new IOException(archive + ": entry " + name + " too large");
                    }
                    data = new byte[(int) size];
                    readFully(archive, in, data);
                    skipFully(archive, in, pad(size));
                } else {
                    skipFully(archive, in, size + pad(size));
                }
                if (type == 'x') {
                    paxPath = paxPath(data);
                } else if (data != null) {
                    out.put(name, data);
                }
            }
        }
    }

    private static long pad(long size) {
        return (BLOCK - size % BLOCK) % BLOCK;
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String paxPath(byte[] data) {
        // records: "<len> <key>=<value>\n"
        String s = new String(data, StandardCharsets.UTF_8);
        for (String rec : s.split("\n")) {
            int sp = rec.indexOf(' ');
            if (sp > 0 && rec.startsWith("path=", sp + 1)) {
                return rec.substring(sp + 6);
            }
        }
        return null;
    }

    private static void checkChecksum(Path archive, byte[] h) throws IOException {
        long stored = octal(archive, h, 148, 8);
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        }
        if (sum != stored) {
            throw new IOException(archive + ": corrupt tar header (checksum " + sum + " != " + stored + ")");
        }
    }

    private static long octal(Path archive, byte[] h, int off, int len) throws IOException {
        String s = cString(h, off, len).trim();
        try {
            return s.isEmpty() ? 0 : Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException(archive + ": corrupt tar header (bad octal field '" + s + "')");
        }
    }

    private static String cString(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static void readFully(Path archive, DataInputStream in, byte[] data) throws IOException {
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new IOException(archive + ": truncated tar archive", e);
        }
    }

    private static void skipFully(Path archive, InputStream in, long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new IOException(archive + ": truncated tar archive");
                }
                s = 1;
            }
            n -= s;
        }
    }
}
