package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Each adapter kind learns a synthetic sequence task on its own: "does token 1 occur in the sequence?"
 * The attention base and the softmax layer are frozen (random), so only the adapter can learn.
 */
class LearningTest {
    static final int VOCAB = 6;
    static final int T = 6;

    /** One-hot sequences [n, VOCAB, T]; half contain token 1 (label 1), the rest never do (label 0). */
    static DataSet task(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, VOCAB, T);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            int at = rnd.nextInt(T);
            for (int t = 0; t < T; t++) {
                int tok = label == 1 && t == at ? 1 : new int[]{0, 2, 3, 4, 5}[rnd.nextInt(5)];
                x.putScalar(i, tok, t, 1);
            }
            y.putScalar(i, label, 1);
        }
        return new DataSet(x, y);
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void learnsTokenPresence(AdapterKind kind) {
        AdapterConfig a = AdapterConfig.builder().kind(kind).rank(4).alpha(8).targets(Target.Q, Target.V, Target.O)
                .seed(5).build();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.FLOAT).updater(new Adam(0.03)).list()
                .layer(HoraSelfAttention.builder().nOut(8).nHeads(2).adapter(a).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(2).updater(new Sgd(0.0)).build())     // frozen head: only the adapter learns
                .setInputType(InputType.recurrent(VOCAB, T)).build());
        net.init();
        DataSet train = task(128, 1);
        DataSet test = task(200, 2);
        double before = accuracy(net, test);
        for (int i = 0; i < 40; i++) {
            net.fit(train);
        }
        double after = accuracy(net, test);
        System.out.printf("%s: test accuracy %.3f -> %.3f%n", kind, before, after);
        assertTrue(after >= 0.85, kind + ": accuracy " + after + " (before training " + before + ")");
    }

    static double accuracy(MultiLayerNetwork net, DataSet ds) {
        Evaluation e = new Evaluation(2);
        e.eval(ds.getLabels(), net.output(ds.getFeatures()));
        return e.accuracy();
    }
}
