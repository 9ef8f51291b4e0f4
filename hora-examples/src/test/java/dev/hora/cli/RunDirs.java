package dev.hora.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test helpers: a small labelled TSV pair, the finetune arguments of a fast linear-probe run, a run copied. */
final class RunDirs {
    private RunDirs() {
    }

    /** Writes train.tsv (12 rows) and test.tsv (2 rows) into {@code dir}; returns {train, test}. */
    static Path[] data(Path dir) throws IOException {
        StringBuilder tr = new StringBuilder("label\ttext\n");
        for (int i = 0; i < 6; i++) {
            tr.append("good\tgreat phone number ").append(i).append("\nbad\tawful phone number ").append(i).append('\n');
        }
        return new Path[]{Files.writeString(dir.resolve("train.tsv"), tr),
            Files.writeString(dir.resolve("test.tsv"), "label\ttext\ngood\tgreat\nbad\tawful\n")};
    }

    /** {@code hora finetune} of a linear probe on the data, one epoch; {@code extra} options replace or add to these. */
    static String[] probe(Path train, Path test, Path output, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--train", train.toString(), "--test", test.toString(),
                "--adapter", "none", "--epochs", "1", "--batch-size", "4", "--max-length", "16", "--lr", "5e-3",
                "--threads", "1", "--output", output.toString()));
        for (int i = 0; i < extra.length; i++) {
            int at = a.indexOf(extra[i]);
            if (at >= 0 && i + 1 < extra.length && !extra[i + 1].startsWith("--")) {
                a.set(at + 1, extra[++i]);
            } else {
                a.add(extra[i]);
            }
        }
        return a.toArray(String[]::new);
    }

    /** Copies the run directory {@code from} to {@code to}. */
    static Path copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
        return to;
    }
}
