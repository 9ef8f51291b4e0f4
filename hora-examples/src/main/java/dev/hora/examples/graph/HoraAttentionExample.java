package dev.hora.examples.graph;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.layers.HoraSelfAttention;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A ComputationGraph with a {@link HoraSelfAttention} layer (frozen projections + HoRA adapter) learning a
 * synthetic sequence task: "does token 1 occur in the sequence?". Prints the loss as it goes down and the
 * final test accuracy.
 * <pre>
 *   in [b, 6, 8] one-hot tokens -> HoraSelfAttention (16 wide, 4 heads, HoRA on Q, V) [b, 16, 8]
 *     -> average pooling [b, 16] -> softmax [b, 2]
 * </pre>
 * Run: {@code mvn -q -pl hora-examples -am compile exec:java -Dexec.mainClass=dev.hora.examples.graph.HoraAttentionExample}
 */
public final class HoraAttentionExample {
    static final int VOCAB = 6;
    static final int T = 8;

    private HoraAttentionExample() {
    }

    public static void main(String[] args) {
        AdapterConfig adapter = AdapterConfig.builder().kind(AdapterKind.HORA).rank(4).alpha(8)
                .targets(Target.Q, Target.V).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(42)
                .dataType(DataType.FLOAT).updater(new Adam(0.005)).graphBuilder()
                .addInputs("tokens")
                .addLayer("attention", HoraSelfAttention.builder().nOut(16).nHeads(4).adapter(adapter).build(),
                        "tokens")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "attention")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nOut(2).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.recurrent(VOCAB, T)).build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        HoraSelfAttention layer = (HoraSelfAttention) net.getLayer("attention").conf().getLayer();
        System.out.printf("HoraSelfAttention: %d trainable adapter parameters, %d frozen (%s)%n",
                layer.createAdapter().numParams(), net.getLayer("attention").numParams()
                        - layer.createAdapter().numParams(), adapter.getKind().cliName());

        DataSet train = task(128, 1);
        DataSet test = task(400, 2);
        System.out.printf("accuracy before training: %.3f%n", accuracy(net, test));
        for (int epoch = 1; epoch <= 30; epoch++) {
            net.fit(train);
            if (epoch == 1 || epoch % 5 == 0) {
                System.out.printf("epoch %2d  loss %.4f%n", epoch, net.score());
            }
        }
        System.out.printf("final test accuracy: %.3f%n", accuracy(net, test));
    }

    /** One-hot sequences [n, VOCAB, T]; odd examples contain token 1 once (label 1), even ones never. */
    static DataSet task(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        INDArray x = Nd4j.zeros(DataType.FLOAT, n, VOCAB, T);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 2);
        int[] others = {0, 2, 3, 4, 5};
        for (int i = 0; i < n; i++) {
            int label = i % 2;
            int at = rnd.nextInt(T);
            for (int t = 0; t < T; t++) {
                x.putScalar(i, label == 1 && t == at ? 1 : others[rnd.nextInt(others.length)], t, 1);
            }
            y.putScalar(i, label, 1);
        }
        return new DataSet(x, y);
    }

    static double accuracy(ComputationGraph net, DataSet ds) {
        Evaluation e = new Evaluation(2);
        e.eval(ds.getLabels(), net.outputSingle(ds.getFeatures()));
        return e.accuracy();
    }
}
