package dev.hora.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hora.util.Blas.Cpu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CPU flags -> OpenBLAS core (Java and bin/blas-env.sh alike), the misdetection rule, and this JVM's BLAS. */
class BlasTest {
    private static final String BASE = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush"
            + " mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl pni pclmulqdq ssse3 cx16 sse4_1 sse4_2";
    private static final String AVX2 = " movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm bmi1 avx2 bmi2 fma";
    private static final String AVX512 = " avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl";
    /** Sample CPUs: cpuinfo text -> expected recommended core (null = none). */
    private static final Map<String, String> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put(cpuinfo("GenuineIntel", BASE + AVX2 + AVX512 + " avx512_vnni"), "SkylakeX");           // Xeon (Cascade Lake)
        SAMPLES.put(cpuinfo("GenuineIntel", BASE + AVX2 + AVX512 + " avx512_bf16 amx_tile"), "SkylakeX");  // Sapphire Rapids
        SAMPLES.put(cpuinfo("AuthenticAMD", BASE + AVX2 + AVX512 + " avx512_bf16 avx512ifma"), "SkylakeX"); // EPYC Zen 4
        SAMPLES.put(cpuinfo("AuthenticAMD", BASE + AVX2 + " sse4a misalignsse"), "Zen");                   // Zen 2
        SAMPLES.put(cpuinfo("HygonGenuine", BASE + AVX2), "Zen");
        SAMPLES.put(cpuinfo("GenuineIntel", BASE + AVX2), "Haswell");
        // Knights Landing: AVX-512 F/CD without BW/DQ/VL is not the SkylakeX level
        SAMPLES.put(cpuinfo("GenuineIntel", BASE + AVX2 + " avx512f avx512cd avx512er avx512pf"), "Haswell");
        SAMPLES.put(cpuinfo("GenuineIntel", BASE + " avx xsave"), null);                                    // Sandy Bridge
        SAMPLES.put(cpuinfo("GenuineIntel", BASE + " avx avx2"), null);                                     // AVX2 without FMA
        SAMPLES.put(cpuinfo("GenuineIntel", BASE), null);                                                   // Nehalem
        SAMPLES.put("processor\t: 0\n", null);                                                               // no flags line
    }

    private static String cpuinfo(String vendor, String flags) {
        return "processor\t: 0\nvendor_id\t: " + vendor + "\ncpu family\t: 6\nmodel name\t: test\nflags\t\t: " + flags
                + "\n\nprocessor\t: 1\nvendor_id\t: " + vendor + "\nflags\t\t: fpu\n";
    }

    @Test
    void flagsMapToTheRecommendedCore() {
        for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
            assertEquals(e.getValue(), Blas.recommendedCore(Cpu.parse(e.getKey())), e.getKey());
        }
        Cpu zen4 = Cpu.parse(cpuinfo("AuthenticAMD", BASE + AVX2 + AVX512));
        assertEquals(3, zen4.level());
        assertTrue(zen4.zenFamily());
        assertEquals("AuthenticAMD", zen4.vendorId());
        assertTrue(zen4.flags().contains("avx512vl") && !zen4.flags().contains("processor"));
        assertEquals(2, Cpu.parse(cpuinfo("GenuineIntel", BASE + AVX2)).level());
        assertEquals(1, Cpu.parse(cpuinfo("GenuineIntel", BASE + " avx")).level());
        assertEquals(0, Cpu.parse("").level());
    }

    @Test
    void misdetectionIsACoreBelowTheRecommendedLevel() {
        Cpu xeon = Cpu.parse(cpuinfo("GenuineIntel", BASE + AVX2 + AVX512));
        Cpu zen4 = Cpu.parse(cpuinfo("AuthenticAMD", BASE + AVX2 + AVX512));
        Cpu haswell = Cpu.parse(cpuinfo("GenuineIntel", BASE + AVX2));
        Cpu sandy = Cpu.parse(cpuinfo("GenuineIntel", BASE + " avx"));
        assertTrue(Blas.isMisdetected("Prescott", xeon));          // the measured Xeon: 29 vs 157 GFLOP/s
        assertTrue(Blas.isMisdetected("Haswell", xeon));
        assertFalse(Blas.isMisdetected("SkylakeX", xeon));
        assertFalse(Blas.isMisdetected("Cooperlake", xeon));
        assertTrue(Blas.isMisdetected("Prescott", zen4));
        assertTrue(Blas.isMisdetected("Sandybridge", zen4));
        assertTrue(Blas.isMisdetected("Zen", zen4));               // AVX2 kernels on an AVX-512 Zen 4
        assertFalse(Blas.isMisdetected("SkylakeX", zen4));         // a user's own choice of a higher level stays
        assertTrue(Blas.isMisdetected("Nehalem", haswell));
        assertFalse(Blas.isMisdetected("Haswell", haswell));
        assertFalse(Blas.isMisdetected("Prescott", sandy));        // no AVX2: OpenBLAS's own detection stands
        assertFalse(Blas.isMisdetected("Prescott", Cpu.parse("")));

        String w = Blas.warning("Prescott", xeon);
        assertNotNull(w);
        assertTrue(w.contains("OPENBLAS_CORETYPE=SkylakeX") && w.contains("Prescott"), w);
        assertTrue(Blas.warning("Prescott", zen4).contains("OPENBLAS_CORETYPE=SkylakeX"));
        assertNull(Blas.warning("SkylakeX", xeon));
        assertNull(Blas.warning("SkylakeX", zen4));
    }

    /** bin/blas-env.sh must choose what Blas.recommendedCore chooses, and keep a user's own setting. */
    @Test
    void shellHelperAgreesWithJava(@TempDir Path dir) throws Exception {
        Path script = repoRoot().resolve("bin/blas-env.sh");
        assumeTrue(Files.isRegularFile(script) && Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh and " + script);
        int i = 0;
        for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
            Path info = Files.writeString(dir.resolve("cpuinfo" + i++), e.getKey());
            String expected = e.getValue() == null ? "" : e.getValue();
            assertEquals(expected, sourced(script, info, null), e.getKey());
            assertEquals("Cooperlake", sourced(script, info, "Cooperlake"), "a set OPENBLAS_CORETYPE wins");
        }
        assertEquals("", sourced(script, dir.resolve("missing"), null), "no cpuinfo: nothing set");
    }

    /** This fork (surefire starts it through bin/java-blas) runs the recommended core. */
    @Test
    void thisJvmRunsTheRecommendedCore() {
        Blas.Info info = Blas.info();
        assumeTrue(info.vendor().startsWith("OpenBLAS"), "BLAS is " + info.vendor());
        assertFalse(info.core().isBlank());
        assertTrue(info.threads() >= 1, info.describe());
        String rec = Blas.recommendedCore(Cpu.current());
        assertEquals(rec, info.recommendedCore());
        if (rec != null && System.getProperty("surefire.real.class.path") != null) {
            String env = System.getenv(Blas.CORETYPE_ENV);   // the helper's choice, or the user's own
            assertNotNull(env, "surefire forks must start through bin/java-blas, which sets " + Blas.CORETYPE_ENV);
            assertTrue(env.equalsIgnoreCase(info.core()), Blas.CORETYPE_ENV + "=" + env + " but " + info.describe());
            assertTrue(!env.equals(rec) || !info.misdetected(), info.describe());
        }
        Blas.warnIfMisdetected();   // must not throw, whatever the BLAS
    }

    @Test
    void gemmMeasurementRunsAndChecksItsArguments() {
        for (boolean kernels : new boolean[] {true, false}) {
            double g = Blas.measureGemmGflops(64, 32, 48, 3, kernels);
            assertTrue(g > 0 && Double.isFinite(g), "GFLOP/s " + g);
        }
        assertThrows(IllegalArgumentException.class, () -> Blas.measureGemmGflops(0, true));
        assertThrows(IllegalArgumentException.class, () -> Blas.measureGemmGflops(8, 0, 8, 1, false));
    }

    /**
     * `hora bench --engine samediff` measures with the BLAS threads SameDiff gets and leaves them as
     * they were (the kernel engine's GEMM would make the BLAS single-threaded).
     */
    @Test
    void ndArrayGemmMeasurementKeepsTheBlasThreads() {
        var blas = org.nd4j.linalg.factory.Nd4j.factory().blas();
        int before = blas.getMaxThreads();
        try {
            blas.setMaxThreads(2);
            assumeTrue(blas.getMaxThreads() == 2, "this BLAS cannot be given 2 threads");
            Blas.measureGemmGflops(512, 256, 256, 2, false);
            assertEquals(2, blas.getMaxThreads());
        } finally {
            blas.setMaxThreads(before);
        }
    }

    private static String sourced(Path script, Path cpuinfo, String preset) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", ". \"$1\"; printf %s \"$OPENBLAS_CORETYPE\"", "sh",
                script.toString());
        pb.environment().remove(Blas.CORETYPE_ENV);
        if (preset != null) {
            pb.environment().put(Blas.CORETYPE_ENV, preset);
        }
        pb.environment().put("HORA_CPUINFO", cpuinfo.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("bin"))) {
            dir = dir.getParent();
        }
        return dir == null ? Path.of("") : dir;
    }
}
