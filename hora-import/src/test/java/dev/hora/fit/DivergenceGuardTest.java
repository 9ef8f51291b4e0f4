package dev.hora.fit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The divergence bounds: non-finite values and explosions stop, a normal noisy run does not. */
class DivergenceGuardTest {
    @Test
    void aConvergingNoisyRunPasses() {
        DivergenceGuard g = new DivergenceGuard(2);
        double[] losses = {0.69, 0.71, 0.9, 0.5, 2.5, 0.3, 0.1, 4.0};   // spikes well inside 30 x ln 2
        for (int i = 0; i < losses.length; i++) {
            int step = i + 1;
            assertDoesNotThrow(() -> g.check(step, losses[step - 1], 3.0 + step, 1e-3));
        }
    }

    @Test
    void nonFiniteOrExplodingValuesStop() {
        DivergenceGuard g = new DivergenceGuard(3);
        g.check(1, 1.2, 0.8, 1e-3);
        var e = assertThrows(TrainingDivergedException.class, () -> g.check(2, Double.NaN, 0.8, 1e-3));
        assertTrue(e.getMessage().contains("step 2") && e.getMessage().contains("the loss is NaN"), e.getMessage());
        e = assertThrows(TrainingDivergedException.class, () -> g.check(3, 1.0, Double.POSITIVE_INFINITY, 1e-3));
        assertTrue(e.getMessage().contains("gradient norm is Infinity"), e.getMessage());
        e = assertThrows(TrainingDivergedException.class, () -> g.check(4, 1e30, 1.0, 1e30));
        assertTrue(e.getMessage().contains("exceeds 30 x the initial 1.2") && e.getMessage().contains("1.00e+30"),
                e.getMessage());
        e = assertThrows(TrainingDivergedException.class, () -> g.check(5, 1.0, 1e7, 1e-3));
        assertTrue(e.getMessage().contains("gradient norm 1.000e+07 exceeds"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the last checkpoint (if any) holds the last good state"), e.getMessage());
    }
}
