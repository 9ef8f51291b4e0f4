package dev.hora.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.io.Checkpoint;
import dev.hora.io.CheckpointStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Resume equivalence: 10 uninterrupted steps == 5 steps, state -> safetensors checkpoint -> fresh
 * graph and trainer -> restore -> 5 steps. Expected bit-exact: the resumed run executes the same
 * ops, in the same order, on the same float32 values (params, Adam m and v, iteration counter and
 * therefore the same learning-rate schedule and bias correction), and safetensors stores float32
 * without conversion; ND4J's CPU ops are deterministic for a fixed thread count.
 */
class TrainerResumeTest {
    private static final long SEED = 7;

    private static Trainer trainer(SameDiff sd) {
        return Trainer.builder().objective(SameDiffObjective.of(sd, "loss", java.util.List.of("w", "b")))
                .adam(0.05, 3, 10).weightDecay(0.01).maxGradNorm(0.5).build();
    }

    private static void run(Trainer t, int from, int to) {
        for (int i = from; i < to; i++) {
            t.step(TrainGraphs.batch(DataType.FLOAT, SEED, i, 16));
            if (i == 6) {
                t.endEpoch();
            }
        }
    }

    @Test
    void resumedRunIsBitIdentical(@TempDir Path dir) throws Exception {
        Trainer full = trainer(TrainGraphs.logistic(DataType.FLOAT, SEED));
        run(full, 0, 10);

        Trainer first = trainer(TrainGraphs.logistic(DataType.FLOAT, SEED));
        run(first, 0, 5);
        CheckpointStore store = new CheckpointStore(dir);
        store.save(new Checkpoint(first.iteration(), first.state(), Map.of("note", "half")));

        Trainer resumed = trainer(TrainGraphs.logistic(DataType.FLOAT, SEED));
        Checkpoint c = store.load().orElseThrow();
        assertEquals(5, c.step());
        resumed.restore(c.tensors());
        assertEquals(5, resumed.iteration());
        run(resumed, 5, 10);

        assertEquals(full.iteration(), resumed.iteration());
        assertEquals(1, resumed.epoch());
        Map<String, INDArray> a = full.state();
        Map<String, INDArray> b = resumed.state();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertEquals(a.get(k), b.get(k), k + " differs");   // INDArray.equals: same shape, dtype, values
            INDArray d = a.get(k).castTo(DataType.DOUBLE).sub(b.get(k).castTo(DataType.DOUBLE));
            assertEquals(0.0, d.amaxNumber().doubleValue(), 0.0, k + " is not bit-identical");
        }
        // and training did move the parameters (the test could fail)
        INDArray w0 = TrainGraphs.logistic(DataType.FLOAT, SEED).getArrForVarName("w");
        assertTrue(w0.sub(a.get("param/w")).amaxNumber().doubleValue() > 1e-3);
    }

    @Test
    void restoreNamesTheBadKey() {
        Trainer t = trainer(TrainGraphs.logistic(DataType.FLOAT, SEED));
        Map<String, INDArray> s = new HashMap<>(t.state());
        s.remove("updater/b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.restore(s));
        assertTrue(e.getMessage().contains("'updater/b'"), e.getMessage());

        Map<String, INDArray> s2 = new HashMap<>(t.state());
        s2.put("param/w", Nd4j.zeros(DataType.FLOAT, 3, 1));
        e = assertThrows(IllegalArgumentException.class, () -> t.restore(s2));
        assertTrue(e.getMessage().contains("'param/w'") && e.getMessage().contains("[8, 1]"), e.getMessage());

        Map<String, INDArray> s3 = new HashMap<>(t.state());
        s3.put("param/F", Nd4j.zeros(DataType.FLOAT, 4, 8));
        e = assertThrows(IllegalArgumentException.class, () -> t.restore(s3));
        assertTrue(e.getMessage().contains("'param/F'"), e.getMessage());
    }

    /** A relabelled dtype of the same byte size (I64 counter as F64, F32 values as I32) is refused. */
    @Test
    void restoreRefusesRelabelledDtypes() {
        Trainer t = trainer(TrainGraphs.logistic(DataType.FLOAT, SEED));
        Map<String, INDArray> s = new HashMap<>(t.state());
        s.put(Trainer.ITERATION_KEY, Nd4j.createFromArray(new double[] {5}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.restore(s));
        assertTrue(e.getMessage().contains("'counter/iteration' has data type DOUBLE, expected LONG"), e.getMessage());
        Map<String, INDArray> s2 = new HashMap<>(t.state());
        s2.put("param/w", s2.get("param/w").castTo(DataType.INT));
        e = assertThrows(IllegalArgumentException.class, () -> t.restore(s2));
        assertTrue(e.getMessage().contains("'param/w' has data type INT, expected FLOAT"), e.getMessage());
        Map<String, INDArray> s3 = new HashMap<>(t.state());
        s3.put("updater/w", s3.get("updater/w").castTo(DataType.INT));
        e = assertThrows(IllegalArgumentException.class, () -> t.restore(s3));
        assertTrue(e.getMessage().contains("'updater/w' has data type INT, expected FLOAT"), e.getMessage());
    }
}
