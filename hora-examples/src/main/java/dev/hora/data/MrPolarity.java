package dev.hora.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built-in dataset {@code mr-polarity}: Pang and Lee's movie-review sentence polarity data
 * (v1.0, 2000 negative and 2000 positive sentences of the 2005 release shipped in the test corpora
 * of Debian's {@code python3-pattern}, file {@code polarity-en-pang&lee2.csv}), fetched with
 * {@code apt-get download} and unpacked with {@code dpkg-deb -x}; package and file pinned by SHA-256.
 *
 * <p>The file is CSV without a header: {@code "label","sentence"} with label {@code -1} (negative)
 * or {@code 1} (positive); sentences are lower-cased and tokenised by the corpus.
 */
public final class MrPolarity {
    public static final String NAME = "mr-polarity";
    public static final List<String> LABELS = List.of("negative", "positive");
    public static final String PACKAGE = "python3-pattern";
    public static final String VERSION = "2.6+git20180818-4";
    static final String DEB_SHA256 = "9bdb8e36c780db9c701fa9519425c0217fbab2bc1af28eb127caaa6bde7fc4b1";
    static final String ARCHIVE_PATH = "usr/share/doc/python3-pattern/test/corpora/polarity-en-pang&lee2.csv";
    static final String FILE = "polarity-en-pang&lee2.csv";
    static final String FILE_SHA256 = "1b9975e7c33f487bc2187fffdc55213fdbb84bac4f6c1852b5dd40912411f53f";
    /** Examples in the pinned file (2000 per class). */
    public static final int SIZE = 4000;

    private MrPolarity() {
    }

    /** Fetches (if needed) and loads all 4000 sentences. */
    public static TextDataset load(PinnedDatasetCache cache, DebPackageFetcher apt) throws IOException {
        Path dir = cache.ensure(NAME, NAME + "-" + VERSION, Map.of(FILE, FILE_SHA256),
                "apt-get download " + PACKAGE + "=" + VERSION, work -> Map.of(FILE, fetch(apt, work)));
        TextDataset d = parse(dir.resolve(FILE));
        if (d.size() != SIZE) {
            throw new IOException(dir.resolve(FILE) + ": expected " + SIZE + " sentences, found " + d.size());
        }
        return d;
    }

    /** Downloads the pinned package into {@code work}, checks it and unpacks the corpus file. */
    static Path fetch(DebPackageFetcher apt, Path work) throws IOException {
        Path deb = apt.download(PACKAGE, VERSION, work);
        String sha = Sha256.of(deb);
        if (!sha.equals(DEB_SHA256)) {
            throw new IOException("checksum mismatch for " + deb.getFileName() + ": SHA-256 " + sha + ", expected "
                    + DEB_SHA256);
        }
        Path x = work.resolve("unpacked");
        apt.extract(deb, x);
        return x.resolve(ARCHIVE_PATH);
    }

    /** Parses the corpus CSV; every malformed row is reported with its line. */
    public static TextDataset parse(Path file) throws IOException {
        RowErrors errors = new RowErrors(file);
        List<Example> out = new ArrayList<>();
        for (DelimitedReader.Record r : DelimitedReader.csv(Files.readString(file, StandardCharsets.UTF_8), errors)) {
            List<String> c = r.cells();
            if (c.size() != 2) {
                errors.add(r.line(), "expected 2 cells (label, sentence), found " + c.size());
            } else if (!c.get(0).trim().equals("1") && !c.get(0).trim().equals("-1")) {
                errors.add(r.line(), "label must be 1 or -1, found '" + c.get(0) + "'");
            } else if (c.get(1).isBlank()) {
                errors.add(r.line(), "empty sentence");
            } else {
                out.add(new Example(c.get(1).strip(), c.get(0).trim().equals("1") ? 1 : 0));
            }
        }
        errors.throwIfAny("");
        return new TextDataset(NAME, out, LABELS);
    }
}
