package dev.hora.train;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Prints ms per training step: {@link Trainer#step} (one pass for loss + gradients) vs
 * calculateGradients followed by a separate output pass vs {@code sd.fit(MultiDataSet)}.
 * Graph: y = tanh(x F + x A B) W_out, loss = mean squared error; F [d, d] and W_out [d, 1] constants,
 * A [d, r], B [r, d] trainable. Run: java -cp ... dev.hora.train.TrainerBench [d] [batch] [steps].
 */
public final class TrainerBench {
    private TrainerBench() {
    }

    static SameDiff graph(int d, int r) {
        Random rnd = new Random(1);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, d);
        SDVariable y = sd.placeHolder("y", DataType.FLOAT, -1, 1);
        SDVariable f = sd.constant("F", TrainGraphs.fill(rnd, DataType.FLOAT, 0.05, d, d));
        SDVariable wo = sd.constant("Wout", TrainGraphs.fill(rnd, DataType.FLOAT, 0.05, d, 1));
        SDVariable a = sd.var("A", TrainGraphs.fill(rnd, DataType.FLOAT, 0.05, d, r));
        SDVariable b = sd.var("B", TrainGraphs.fill(rnd, DataType.FLOAT, 0.05, r, d));
        SDVariable h = sd.math.tanh(x.mmul(f).add(x.mmul(a).mmul(b)));
        h.mmul(wo).sub(y).mul(h.mmul(wo).sub(y)).mean().rename("loss");
        return sd;
    }

    public static void main(String[] args) {
        int d = args.length > 0 ? Integer.parseInt(args[0]) : 384;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        Random rnd = new Random(2);
        Map<String, INDArray> batch = Map.of("x", TrainGraphs.fill(rnd, DataType.FLOAT, 1, n, d),
                "y", TrainGraphs.fill(rnd, DataType.FLOAT, 1, n, 1));

        SameDiff s1 = graph(d, 8);
        Trainer t = Trainer.builder().objective(SameDiffObjective.of(s1, "loss", java.util.List.of("A", "B")))
                .updater(new Adam(1e-3)).build();
        System.out.printf("trainer.step (1 pass)          %.2f ms/step%n", time(steps, () -> t.step(batch)));

        SameDiff s2 = graph(d, 8);
        s2.setLossVariables("loss");
        System.out.printf("calculateGradients + output    %.2f ms/step%n", time(steps, () -> {
            s2.calculateGradients(batch, List.of("A", "B"));
            s2.output(batch, "loss");
        }));

        SameDiff s4 = graph(d, 8);
        s4.setLossVariables("loss");
        System.out.printf("calculateGradients only        %.2f ms/step%n", time(steps,
                () -> s4.calculateGradients(batch, List.of("A", "B"))));
        System.out.printf("calculateGradientsAndOutputs   %.2f ms/step%n", time(steps,
                () -> s4.calculateGradientsAndOutputs(batch, List.of("loss"), List.of("A", "B"))));

        SameDiff s3 = graph(d, 8);
        s3.setTrainingConfig(new TrainingConfig.Builder().updater(new Adam(1e-3))
                .dataSetFeatureMapping("x").dataSetLabelMapping("y").minimize("loss").build());
        MultiDataSet mds = new MultiDataSet(new INDArray[]{batch.get("x")}, new INDArray[]{batch.get("y")});
        System.out.printf("sd.fit(MultiDataSet)           %.2f ms/step%n", time(steps, () -> s3.fit(mds)));
    }

    private static double time(int steps, Runnable r) {
        for (int i = 0; i < 5; i++) {
            r.run();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            r.run();
        }
        return (System.nanoTime() - t0) / 1e6 / steps;
    }
}
