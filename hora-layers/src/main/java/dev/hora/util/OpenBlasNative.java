package dev.hora.util;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.Map;
import org.bytedeco.javacpp.Loader;

/**
 * Queries of the BLAS library JavaCPP loaded for ND4J that its Java bindings (openblas preset 1.5.7)
 * do not map: {@code openblas_get_corename}, {@code openblas_get_config}, {@code openblas_get_num_threads}
 * and, when MKL is loaded in OpenBLAS's place, {@code MKL_Get_Max_Threads}. Called through JNA (on
 * the classpath with DL4J) on the very library file JavaCPP loaded, so the answers are those of the
 * running instance. A missing symbol throws {@link UnsatisfiedLinkError}, it never crashes the JVM.
 */
final class OpenBlasNative {
    private OpenBlasNative() {
    }

    /** The core OpenBLAS selected at load time, e.g. "Zen", "SkylakeX", "Prescott". */
    static String corename() {
        return function("openblas_get_corename").invokeString(new Object[0], false).trim();
    }

    /** e.g. "0.3.19" from "OpenBLAS 0.3.19 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64". */
    static String version() {
        String[] parts = function("openblas_get_config").invokeString(new Object[0], false).trim().split("\\s+");
        return parts.length > 1 ? parts[1] : "?";
    }

    /** OpenBLAS's thread count. */
    static int threads() {
        return function("openblas_get_num_threads").invokeInt(new Object[0]);
    }

    /** MKL's thread count (MKL loaded as org.bytedeco.openblas.load=mkl_rt). */
    static int mklThreads() {
        return function("MKL_Get_Max_Threads").invokeInt(new Object[0]);
    }

    private static Function function(String name) {
        return NativeLibrary.getInstance(libraryPath()).getFunction(name);
    }

    /** The file JavaCPP loaded as openblas_nolapack (OpenBLAS, or a link to mkl_rt). */
    private static String libraryPath() {
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        for (Map.Entry<String, String> e : Loader.getLoadedLibraries().entrySet()) {
            if (e.getKey().startsWith("openblas_nolapack@") && e.getValue() != null) {
                return e.getValue();
            }
        }
        throw new UnsatisfiedLinkError("JavaCPP has not loaded openblas_nolapack (loaded: "
                + Loader.getLoadedLibraries().keySet() + ")");
    }
}
