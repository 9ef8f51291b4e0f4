package dev.hora.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code npm pack SPEC} as a subprocess in a given directory and returns the tarball it wrote.
 * The npm executable is configurable ({@code --npm}, env {@code HORA_NPM}); lifecycle scripts are
 * not run.
 */
public final class NpmPackFetcher {
    /** Environment variable naming the npm executable. */
    public static final String ENV_NPM = "HORA_NPM";
    private static final Logger LOG = LoggerFactory.getLogger(NpmPackFetcher.class);

    private final String npm;
    private final Duration timeout;

    /** @param npm the npm executable (name on the PATH or a path) */
    public NpmPackFetcher(String npm, Duration timeout) {
        this.npm = npm;
        this.timeout = timeout;
    }

    /** The fetcher from {@code HORA_NPM}, else {@code npm}, with a 5 minute timeout. */
    public static NpmPackFetcher fromEnvironment() {
        String env = System.getenv(ENV_NPM);
        return new NpmPackFetcher(env == null || env.isBlank() ? "npm" : env, Duration.ofMinutes(5));
    }

    /** The npm command this fetcher runs. */
    public String npm() {
        return npm;
    }

    /**
     * Runs {@code npm pack spec} in {@code workDir} (which should be empty) and returns the .tgz.
     *
     * @throws IOException with npm's output if npm is missing, fails, times out or writes no tarball
     */
    public Path pack(String spec, Path workDir) throws IOException {
        Path log = workDir.resolve("npm-output.log");
        ProcessBuilder pb = new ProcessBuilder(npm, "pack", spec, "--ignore-scripts")
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("npm_config_update_notifier", "false");
        pb.environment().put("npm_config_fund", "false");
        pb.environment().put("npm_config_audit", "false");
        LOG.info("fetching {} with '{} pack' in {}", spec, npm, workDir);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("could not run npm ('" + npm + "'): " + e.getMessage()
                    + ". Install Node.js/npm or set --npm PATH (or env " + ENV_NPM + ")", e);
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + npm + " pack " + spec + "' did not finish within " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running npm", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + npm + " pack " + spec + "' failed with exit code " + p.exitValue()
                    + tail(log));
        }
        try (Stream<Path> s = Files.list(workDir)) {
            List<Path> tgz = s.filter(f -> f.getFileName().toString().endsWith(".tgz")).toList();
            if (tgz.size() != 1) {
                throw new IOException("'" + npm + " pack " + spec + "' wrote " + tgz.size() + " tarballs, expected 1"
                        + tail(log));
            }
            return tgz.get(0);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - 8), lines.size());
            return last.isEmpty() ? "" : "; npm said:\n    " + String.join("\n    ", last);
        } catch (IOException e) {
            return "";
        }
    }
}
