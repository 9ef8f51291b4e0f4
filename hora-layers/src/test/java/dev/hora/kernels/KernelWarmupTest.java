package dev.hora.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The warm-up runs the real kernels: its checksum against the scalar formulas; started once, it finishes. */
class KernelWarmupTest {

    @Test
    void theWarmUpComputesWhatTheScalarFormulasGive() throws InterruptedException {
        Assumptions.assumeTrue(CpuLoops.vectorOn() && PanelGemm.usable(), "Vector API kernels not in use here");
        KernelWarmup.start();
        KernelWarmup.start();   // once per JVM: the second call returns at once
        KernelWarmup.join();
        int n = 64;
        double max = (n - 1 - n / 2) / 8.0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            norm += Math.exp((i - n / 2) / 8.0 - max);
        }
        for (int calls : new int[]{1, 7, 70}) {
            double want = 0;
            for (int c = 0; c < calls; c++) {
                double zc = (c % n - n / 2) / 8.0;
                float[] gelu = CpuLoops.geluScalar((float) zc);
                want += gelu[0] + gelu[1] + Math.exp(zc - max) / norm;
            }
            assertEquals(want, KernelWarmup.run(calls), 1e-5 * calls, calls + " calls");
        }
    }
}
