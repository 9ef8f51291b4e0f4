package dev.hora.finetune;

import dev.hora.adapter.Adapter;
import java.util.Map;

/**
 * Refuses adapter options whose parameters cannot be held, computed in {@code long} from the
 * shapes before anything is allocated (an {@code --adapter-option hidden-width} of 10^8 once ended in
 * an OutOfMemoryError and a stack trace): no tensor may exceed a Java array, and the parameters with
 * their gradients and two Adam moments must fit the native memory ND4J may use.
 */
final class AdapterBudget {
    /** Copies of each trainable value a run holds: value, gradient, Adam's two moments. */
    static final int COPIES = 4;

    private AdapterBudget() {
    }

    /** @throws IllegalArgumentException naming the adapter options and the sizes */
    static void check(FinetuneSettings s, Map<Integer, Adapter> plan) {
        long total = 0;
        for (Map.Entry<Integer, Adapter> layer : plan.entrySet()) {
            for (Map.Entry<String, long[]> p : layer.getValue().paramShapes().entrySet()) {
                long n = 1;
                for (long d : p.getValue()) {
                    n = d != 0 && n > Long.MAX_VALUE / d ? Long.MAX_VALUE : n * d;
                }
                if (n > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException(options(s) + ": adapter parameter " + p.getKey() + " of layer "
                            + layer.getKey() + " would have " + (n == Long.MAX_VALUE ? "more than 2^63" : n)
                            + " elements, more than an array holds (" + (Integer.MAX_VALUE - 8) + ")");
                }
                total = Math.min(Long.MAX_VALUE / 2, total + n);
            }
        }
        long bytes = total > Long.MAX_VALUE / (4L * COPIES) ? Long.MAX_VALUE : total * 4 * COPIES;
        long limit = nativeLimit();
        if (bytes > limit) {
            throw new IllegalArgumentException(options(s) + ": the adapter would have " + total + " parameters, "
                    + bytes + " bytes with gradients and optimizer state, more than the " + limit + " bytes of "
                    + "native memory available (-Dorg.bytedeco.javacpp.maxBytes, default the -Xmx heap size)");
        }
    }

    private static String options(FinetuneSettings s) {
        return "--adapter " + s.adapter().cliName() + " --rank " + s.rank()
                + (s.adapterOptions() == null || s.adapterOptions().isEmpty() ? ""
                : " --adapter-option " + s.adapterOptions().toString().replaceAll("[{}]", "").replace(", ", " "));
    }

    private static long nativeLimit() {
        try {
            long m = org.bytedeco.javacpp.Pointer.maxBytes();
            return m > 0 ? m : Runtime.getRuntime().maxMemory();
        } catch (LinkageError e) {
            return Runtime.getRuntime().maxMemory();
        }
    }
}
