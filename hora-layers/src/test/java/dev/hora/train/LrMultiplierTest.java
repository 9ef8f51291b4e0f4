package dev.hora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/** A learning-rate multiplier m scales that variable's step exactly by m and leaves the others alone. */
class LrMultiplierTest {

    @Test
    void stepOfTheNamedVariableIsScaled() {
        SameDiff plain = TrainGraphs.logistic(DataType.DOUBLE, 3);
        SameDiff scaled = TrainGraphs.logistic(DataType.DOUBLE, 3);
        INDArray w0 = plain.getArrForVarName("w").dup();
        INDArray b0 = plain.getArrForVarName("b").dup();
        Trainer tp = Trainer.builder().objective(SameDiffObjective.of(plain, "loss", java.util.List.of("w", "b")))
                .updater(new Adam(0.01)).build();
        Trainer ts = Trainer.builder().objective(SameDiffObjective.of(scaled, "loss", java.util.List.of("w", "b")))
                .updater(new Adam(0.01)).lrMultipliers(Map.of("w", 2.5)).build();
        Map<String, INDArray> batch = TrainGraphs.batch(DataType.DOUBLE, 3, 0, 32);
        tp.step(batch);
        ts.step(batch);
        INDArray dwPlain = w0.sub(plain.getArrForVarName("w"));
        INDArray dwScaled = w0.sub(scaled.getArrForVarName("w"));
        for (int i = 0; i < dwPlain.length(); i++) {
            assertEquals(2.5 * dwPlain.getDouble(i), dwScaled.getDouble(i), 1e-15, "w[" + i + "]");
            assertEquals(0.01, Math.abs(dwPlain.getDouble(i)), 1e-4, "Adam's first step is ~lr per entry");
        }
        assertEquals(b0.sub(plain.getArrForVarName("b")).getDouble(0), b0.sub(scaled.getArrForVarName("b")).getDouble(0),
                0.0, "b is not scaled");
    }

    @Test
    void unknownOrBadMultipliersAreRejected() {
        SameDiff sd = TrainGraphs.logistic(DataType.DOUBLE, 3);
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w"))).lrMultipliers(Map.of("b", 2.0)).build());
        assertThrows(IllegalArgumentException.class, () -> Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w"))).lrMultipliers(Map.of("w", 0.0)).build());
    }
}
