package dev.hora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@link Trainer#step} does the same arithmetic as SameDiff's own {@code sd.fit} (Adam with
 * decoupled weight decay) when every VARIABLE of the graph is trainable, in double precision.
 */
class TrainerFitParityTest {

    @Test
    void stepsMatchSameDiffFit() {
        long seed = 11;
        SameDiff ours = TrainGraphs.logistic(DataType.DOUBLE, seed);
        Trainer t = Trainer.builder().objective(SameDiffObjective.of(ours, "loss", java.util.List.of("w", "b")))
                .updater(new Adam(0.02)).weightDecay(0.1).build();

        SameDiff ref = TrainGraphs.logistic(DataType.DOUBLE, seed);
        ref.setTrainingConfig(new TrainingConfig.Builder().updater(new Adam(0.02)).weightDecay(0.1, true)
                .dataSetFeatureMapping("x").dataSetLabelMapping("y").minimize("loss").build());

        for (int i = 0; i < 4; i++) {
            Map<String, INDArray> b = TrainGraphs.batch(DataType.DOUBLE, seed, i, 32);
            t.step(b);
            ref.fit(new MultiDataSet(new INDArray[]{b.get("x")}, new INDArray[]{b.get("y")}));
        }
        for (String n : new String[]{"w", "b"}) {
            INDArray d = ours.getArrForVarName(n).sub(ref.getArrForVarName(n));
            assertEquals(0.0, d.amaxNumber().doubleValue(), 1e-12, n);
        }
    }
}
