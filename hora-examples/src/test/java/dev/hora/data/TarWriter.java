package dev.hora.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Test helper: writes a .tgz in ustar format (long names via the prefix field or a PAX record). */
final class TarWriter {
    private TarWriter() {
    }

    static void write(Path tgz, Map<String, byte[]> files, boolean paxNames) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                String name = f.getKey();
                if (paxNames) {
                    String rec = " path=" + name + "\n";
                    int len = rec.length() + 2;
                    len = (Integer.toString(len) + rec).length();
                    byte[] pax = (len + rec).getBytes(StandardCharsets.UTF_8);
                    entry(out, "PaxHeader/x", 'x', pax, "");
                    entry(out, "ignored", '0', f.getValue(), "");
                } else {
                    int slash = name.lastIndexOf('/');
                    entry(out, name.substring(slash + 1), '0', f.getValue(), slash < 0 ? "" : name.substring(0, slash));
                }
            }
            out.write(new byte[1024]);
        }
    }

    static void entry(OutputStream out, String name, char type, byte[] data, String prefix) throws IOException {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", data.length));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        h[262] = 0;
        put(h, 263, "00");
        put(h, 345, prefix);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        out.write(h);
        out.write(data);
        out.write(new byte[(512 - data.length % 512) % 512]);
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, b.length);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzipOf(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bos)) {
            out.write(data);
        }
        return bos.toByteArray();
    }
}
