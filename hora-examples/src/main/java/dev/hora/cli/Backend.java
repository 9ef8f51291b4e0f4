package dev.hora.cli;

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
     * Applies {@code threads} and returns e.g. "backend: CPU (nd4j-native), 2 threads". The BLAS gets
     * {@code threads}. libnd4j's OpenMP pool gets them too on the SameDiff engine, but only one thread on
     * the kernel engine: there libnd4j runs a few small ops while the GEMMs run on the BLAS's threads and
     * the element-wise loops on Java's, and its spinning OpenMP threads took cores from both (batch 32 x 64
     * LoRA step, 2 cores: 1,516 ms with 2 libnd4j threads, 1,071 ms with 1).
     */
    static String configure(int threads, boolean kernels) {
        int nd4j = kernels ? 1 : threads;
        Nd4j.getEnvironment().setMaxThreads(nd4j);
        Nd4j.getEnvironment().setMaxMasterThreads(nd4j);
        Nd4j.factory().blas().setMaxThreads(threads);   // OpenBLAS keeps all cores otherwise
        String name = Nd4j.getBackend().getClass().getSimpleName();
        String kind = name.toLowerCase().contains("cuda") ? "CUDA (nd4j-cuda)" : "CPU (nd4j-native)";
        return "backend: " + kind + ", " + threads + " threads";
    }
}
