package dev.hora.util;

import dev.hora.kernels.StridedGemm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which BLAS ND4J's CPU backend calls, and whether it runs the GEMM kernel the CPU supports.
 *
 * <p>ND4J 1.0.0-M2.1 calls OpenBLAS 0.3.19 (JavaCPP's openblas preset, built for every x86 core
 * with run-time detection). That detection does not know newer CPUs and falls back to an old
 * kernel: on an AVX-512 Xeon it picked "Prescott" (SSE3) and ran a 2048x384x1536 SGEMM 5x slower.
 * OpenBLAS reads {@code OPENBLAS_CORETYPE} once, when the library loads, so the fix has to be in
 * the environment before the JVM starts ({@code bin/hora} and the tests' JVM wrapper
 * {@code bin/java-blas} set it, see {@code bin/blas-env.sh}); a library user gets one WARN per JVM
 * from {@link #warnIfMisdetected()} naming the setting.
 *
 * <p>Instruction-set levels (of a CPU's flags and of an OpenBLAS core): 3 = AVX-512 F/BW/DQ/VL/CD
 * (SkylakeX, Cooperlake), 2 = AVX2 + FMA (Haswell, Zen), 1 = AVX (Sandybridge), 0 = older (Prescott,
 * Nehalem, ...). OpenBLAS is misdetected when its core's level is below that of
 * {@link #recommendedCore} for the CPU (so never on CPUs without AVX2).
 *
 * <p>The same mapping is in {@code bin/blas-env.sh}; {@code BlasTest} checks that both agree.
 */
public final class Blas {
    private static final Logger LOG = LoggerFactory.getLogger(Blas.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    /** The environment variable OpenBLAS reads at load time. */
    public static final String CORETYPE_ENV = "OPENBLAS_CORETYPE";
    private static final String[] AVX512 = {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"};

    private Blas() {
    }

    /**
     * What ND4J's BLAS is.
     *
     * @param vendor          "OpenBLAS 0.3.19", "MKL", or ND4J's vendor name of another backend (e.g. CUBLAS)
     * @param core            the kernel OpenBLAS runs (its corename, e.g. "SkylakeX"), "-" for others
     * @param threads         BLAS threads (0 when unknown)
     * @param recommendedCore {@link #recommendedCore} of this CPU, null when it has no AVX2
     * @param misdetected     OpenBLAS runs a core of a lower level than the recommended one
     */
    public record Info(String vendor, String core, int threads, String recommendedCore, boolean misdetected) {
        /** e.g. "BLAS: OpenBLAS 0.3.19, core Zen, 2 threads (recommended core: Zen)". */
        public String describe() {
            return "BLAS: " + vendor + ", core " + core + ", " + threads + " threads"
                    + (recommendedCore == null ? "" : " (recommended core: " + recommendedCore + ")")
                    + (misdetected ? " - MISDETECTED, set " + CORETYPE_ENV + "=" + recommendedCore : "");
        }
    }

    /**
     * The first processor of a /proc/cpuinfo text.
     *
     * @param vendorId "GenuineIntel", "AuthenticAMD", "HygonGenuine", ... ("" when absent)
     * @param flags    its "flags" line, lower case
     */
    public record Cpu(String vendorId, Set<String> flags) {
        /** Parses the first "vendor_id" and "flags" lines of a /proc/cpuinfo text. */
        public static Cpu parse(String cpuinfo) {
            String vendor = null;
            Set<String> flags = null;
            for (String line : cpuinfo.split("\n")) {
                int colon = line.indexOf(':');
                String key = colon > 0 ? line.substring(0, colon).trim() : "";
                String value = colon > 0 ? line.substring(colon + 1).trim() : "";
                if (vendor == null && key.equals("vendor_id")) {
                    vendor = value;
                } else if (flags == null && key.equals("flags")) {
                    flags = Arrays.stream(value.split("\\s+")).filter(f -> !f.isEmpty())
                            .map(f -> f.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
                }
            }
            return new Cpu(vendor == null ? "" : vendor, flags == null ? Set.of() : flags);
        }

        /** This machine's CPU from /proc/cpuinfo (no vendor, no flags where it does not exist). */
        public static Cpu current() {
            try {
                return parse(Files.readString(Path.of("/proc/cpuinfo")));
            } catch (IOException | RuntimeException e) {
                return new Cpu("", Set.of());
            }
        }

        /** Instruction-set level: 3 AVX-512 F/BW/DQ/VL/CD, 2 AVX2 + FMA, 1 AVX, 0 older. */
        public int level() {
            if (Arrays.stream(AVX512).allMatch(flags::contains)) {
                return 3;
            }
            if (flags.contains("avx2") && flags.contains("fma")) {
                return 2;
            }
            return flags.contains("avx") ? 1 : 0;
        }

        /** AMD or Hygon (Zen family): OpenBLAS's Zen kernels are its best GEMM there. */
        public boolean zenFamily() {
            return vendorId.equals("AuthenticAMD") || vendorId.equals("HygonGenuine");
        }
    }

    /**
     * The OpenBLAS core for this CPU, or null (no AVX2: leave detection alone). AVX-512 F/BW/DQ/VL/CD
     * -> "SkylakeX" (Intel, and AMD Zen 4: OpenBLAS 0.3.19 has no Zen 4 kernels; measured in main-thread
     * CPU time, which a loaded machine does not distort, its SkylakeX kernels ran the training step's
     * GEMMs 10-20 % faster than Zen's there); AVX2 + FMA -> "Zen" on AMD/Hygon, "Haswell" elsewhere.
     */
    public static String recommendedCore(Cpu cpu) {
        int level = cpu.level();
        if (level < 2) {
            return null;
        }
        if (level == 3) {
            return "SkylakeX";
        }
        return cpu.zenFamily() ? "Zen" : "Haswell";
    }

    /** Instruction-set level 0-3 of an OpenBLAS core name (as openblas_get_corename prints it). */
    public static int coreLevel(String core) {
        return switch (core.trim().toLowerCase(Locale.ROOT)) {
            case "skylakex", "cooperlake", "sapphirerapids" -> 3;
            case "haswell", "zen", "skylake" -> 2;
            case "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator" -> 1;
            default -> 0;
        };
    }

    /** True when OpenBLAS runs {@code core}, of a lower level than {@link #recommendedCore} for {@code cpu}. */
    public static boolean isMisdetected(String core, Cpu cpu) {
        String rec = recommendedCore(cpu);
        return rec != null && coreLevel(core) < coreLevel(rec);
    }

    /** The start-up warning for OpenBLAS running {@code core} on {@code cpu}, or null when there is none. */
    static String warning(String core, Cpu cpu) {
        if (!isMisdetected(core, cpu)) {
            return null;
        }
        String rec = recommendedCore(cpu);
        return "OpenBLAS runs its " + core + " kernel although this CPU supports " + rec + ": matrix products run"
                + " several times slower. Set " + CORETYPE_ENV + "=" + rec + " in the environment before Java starts"
                + " (bin/hora does).";
    }

    /** Vendor, core and threads of the BLAS ND4J loaded (loads ND4J's backend if it is not yet). */
    public static Info info() {
        Cpu cpu = Cpu.current();
        String rec = recommendedCore(cpu);
        String vendor = String.valueOf(Nd4j.factory().blas().getBlasVendor());
        return switch (vendor) {
            case "OPENBLAS" -> {
                String core = OpenBlasNative.corename();
                yield new Info("OpenBLAS " + OpenBlasNative.version(), core, OpenBlasNative.threads(), rec,
                        isMisdetected(core, cpu));
            }
            case "MKL" -> new Info("MKL", "-", OpenBlasNative.mklThreads(), rec, false);
            default -> new Info(vendor, "-", 0, rec, false);
        };
    }

    /**
     * Logs one WARN per JVM (the first call that finds it) when OpenBLAS runs a core older than the
     * CPU supports, naming the environment variable to set. Never throws; costs one native call.
     */
    public static void warnIfMisdetected() {
        if (WARNED.get()) {
            return;
        }
        try {
            if (!"OPENBLAS".equals(String.valueOf(Nd4j.factory().blas().getBlasVendor()))) {
                return;
            }
            String message = warning(OpenBlasNative.corename(), Cpu.current());
            if (message != null && WARNED.compareAndSet(false, true)) {
                LOG.warn(message);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debug("BLAS detection skipped: {}", e.toString());
        }
    }

    /**
     * GFLOP/s of a float32 2048x384 by 384x1536 product as an engine runs it: median of {@code reps}
     * after one warm-up. {@code kernels}: through {@link StridedGemm} (the BLAS on ND4J's memory, row
     * blocks over {@link dev.hora.kernels.Parallel}'s threads); else ND4J's {@code mmul} (the BLAS with
     * its own threads, as SameDiff calls it). Changes no thread setting.
     */
    public static double measureGemmGflops(int reps, boolean kernels) {
        return measureGemmGflops(2048, 384, 1536, reps, kernels);
    }

    /** GFLOP/s (2mkn / time) of a float32 [m, k] x [k, n] product, median of {@code reps}; see above. */
    public static double measureGemmGflops(int m, int k, int n, int reps, boolean kernels) {
        if (reps < 1 || m < 1 || k < 1 || n < 1) {
            throw new IllegalArgumentException("m, k, n and reps must be >= 1, got " + m + ", " + k + ", " + n + ", " + reps);
        }
        INDArray a = Nd4j.rand(DataType.FLOAT, m, k);
        INDArray b = Nd4j.rand(DataType.FLOAT, k, n);
        INDArray c = Nd4j.create(DataType.FLOAT, m, n);
        double[] s = new double[reps];
        for (int i = -1; i < reps; i++) {
            long t = System.nanoTime();
            if (kernels) {
                StridedGemm.mm(a, false, b, false, c, 0);
            } else {
                a.mmuli(b, c);
            }
            if (i >= 0) {
                s[i] = (System.nanoTime() - t) / 1e9;
            }
        }
        Arrays.sort(s);
        return 2.0 * m * k * n / s[reps / 2] / 1e9;
    }
}
