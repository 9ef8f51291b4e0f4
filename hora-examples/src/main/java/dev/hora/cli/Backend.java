package dev.hora.cli;

import dev.hora.kernels.Parallel;
import org.nd4j.linalg.factory.Nd4j;

/** Sets ND4J's thread count and describes the backend (CPU nd4j-native or CUDA). */
final class Backend {
    private Backend() {
    }

    /** {@link #configure(int, boolean)} for the kernel engine (what every command but {@code bench --engine samediff} runs). */
    static String configure(int threads) {
        return configure(threads, true);
    }

    /**
     * Applies {@code threads} and returns e.g. "backend: CPU (nd4j-native), 2 threads". On the kernel
     * engine the kernels split their work over {@code threads} Java threads ({@link Parallel}) and the
     * BLAS and libnd4j run single-threaded inside them: three thread pools on the same cores took the
     * cores from each other with their spinning threads. On the SameDiff engine the BLAS and libnd4j's
     * OpenMP pool get {@code threads}.
     */
    static String configure(int threads, boolean kernels) {
        if (kernels) {
            Parallel.threads(threads);
        } else {
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.factory().blas().setMaxThreads(threads);   // OpenBLAS keeps all cores otherwise
        }
        String name = Nd4j.getBackend().getClass().getSimpleName();
        String kind = name.toLowerCase().contains("cuda") ? "CUDA (nd4j-cuda)" : "CPU (nd4j-native)";
        return "backend: " + kind + ", " + threads + " threads";
    }
}
