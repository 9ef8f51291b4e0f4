package dev.hora.cli;

import org.nd4j.linalg.factory.Nd4j;

/** Sets ND4J's thread count and describes the backend (CPU nd4j-native or CUDA). */
final class Backend {
    private Backend() {
    }

    /** Applies {@code threads} (libnd4j's and the BLAS's) and returns e.g. "backend: CPU (nd4j-native), 2 threads". */
    static String configure(int threads) {
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);   // OpenBLAS keeps all cores otherwise
        String name = Nd4j.getBackend().getClass().getSimpleName();
        String kind = name.toLowerCase().contains("cuda") ? "CUDA (nd4j-cuda)" : "CPU (nd4j-native)";
        return "backend: " + kind + ", " + threads + " threads";
    }
}
