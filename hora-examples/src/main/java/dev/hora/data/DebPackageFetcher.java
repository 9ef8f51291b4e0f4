package dev.hora.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Fetches a Debian package with {@code apt-get download NAME=VERSION} (no root needed, nothing is
 * installed) and unpacks its files with {@code dpkg-deb -x}. The executables are configurable (env
 * {@code HORA_APT_GET}, {@code HORA_DPKG_DEB}); a missing client is a clear error.
 */
public final class DebPackageFetcher {
    public static final String ENV_APT_GET = "HORA_APT_GET";
    public static final String ENV_DPKG_DEB = "HORA_DPKG_DEB";

    private final String aptGet;
    private final String dpkgDeb;
    private final Duration timeout;

    public DebPackageFetcher(String aptGet, String dpkgDeb, Duration timeout) {
        this.aptGet = aptGet;
        this.dpkgDeb = dpkgDeb;
        this.timeout = timeout;
    }

    /** From {@code HORA_APT_GET} / {@code HORA_DPKG_DEB}, else {@code apt-get} / {@code dpkg-deb}; 5 minutes. */
    public static DebPackageFetcher fromEnvironment() {
        return new DebPackageFetcher(env(ENV_APT_GET, "apt-get"), env(ENV_DPKG_DEB, "dpkg-deb"), Duration.ofMinutes(5));
    }

    /** Runs {@code apt-get download pkg=version} in {@code workDir}; returns the .deb. */
    public Path download(String pkg, String version, Path workDir) throws IOException {
        run(workDir, "apt-get download " + pkg, aptGet, "download", pkg + "=" + version);
        try (Stream<Path> s = Files.list(workDir)) {
            List<Path> debs = s.filter(f -> f.getFileName().toString().endsWith(".deb")).toList();
            if (debs.size() != 1) {
                throw new IOException("'" + aptGet + " download " + pkg + "' wrote " + debs.size() + " .deb files, expected 1");
            }
            return debs.get(0);
        }
    }

    /** Unpacks the files of {@code deb} into {@code dir} with {@code dpkg-deb -x}. */
    public void extract(Path deb, Path dir) throws IOException {
        Files.createDirectories(dir);
        run(dir.getParent(), "dpkg-deb -x", dpkgDeb, "-x", deb.toString(), dir.toString());
    }

    private void run(Path workDir, String what, String... cmd) throws IOException {
        Path log = Files.createTempFile(workDir, "client-", ".log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException("could not run '" + cmd[0] + "' (" + what + "): " + e.getMessage()
                    + ". It needs Debian's package tools (apt-get, dpkg-deb) or set " + ENV_APT_GET + " / "
                    + ENV_DPKG_DEB, e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + what + "' did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + what, e);
        }
        if (p.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            throw new IOException("'" + String.join(" ", cmd) + "' failed with exit code " + p.exitValue() + "; it said:\n    "
                    + String.join("\n    ", lines.subList(Math.max(0, lines.size() - 6), lines.size()))
                    + (what.startsWith("apt-get") ? "\n(if apt knows no such package, run 'apt-get update' first)" : ""));
        }
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : v;
    }
}
