package dev.hora.layers;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Tiny networks shared by the tests: [b, nIn, T] -> attention -> avg pool -> (dense) -> softmax. */
final class TestNets {
    static final int N_IN = 6;
    static final int D = 8;
    static final int HEADS = 2;
    static final int T = 5;
    static final int CLASSES = 2;

    private TestNets() {
    }

    static AdapterConfig adapter(AdapterKind kind) {
        return AdapterConfig.builder().kind(kind).rank(2).alpha(4).seedWidth(3).hiddenWidth(4)
                .targets(Target.Q, Target.V, Target.O).seed(7).build();
    }

    static Layer dl4jAttention() {
        return new SelfAttentionLayer.Builder().nIn(N_IN).nOut(D).nHeads(HEADS).projectInput(true).build();
    }

    static Layer horaAttention(AdapterConfig a) {
        return HoraSelfAttention.builder().nIn(N_IN).nOut(D).nHeads(HEADS).adapter(a).build();
    }

    /** A native DL4J layer before the attention: its gradients check the attention's input gradient. */
    static Layer pre() {
        return new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nIn(N_IN).nOut(N_IN)
                .activation(Activation.TANH).build();
    }

    static Layer dense(AdapterConfig a) {
        return AdaptedDense.builder().nIn(D).nOut(D).heads(HEADS).activation(Activation.TANH).adapter(a).build();
    }

    private static NeuralNetConfiguration.Builder base(DataType dt, IUpdater u, long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).dataType(dt).updater(u);
    }

    /** attention [-> adapted dense] -> pool -> output; dense may be null. */
    static MultiLayerNetwork mln(DataType dt, IUpdater u, Layer attention, Layer dense) {
        return mln(dt, u, null, attention, dense);
    }

    /** pre (a layer on [b, N_IN, T] -> [b, N_IN, T], may be null) -> attention [-> dense] -> pool -> output. */
    static MultiLayerNetwork mln(DataType dt, IUpdater u, Layer pre, Layer attention, Layer dense) {
        NeuralNetConfiguration.ListBuilder lb = base(dt, u, 12345).list();
        if (pre != null) {
            lb.layer(pre);
        }
        lb.layer(attention)
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
        if (dense != null) {
            lb.layer(dense);
        }
        MultiLayerConfiguration conf = lb.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nOut(CLASSES).build())
                .setInputType(InputType.recurrent(N_IN, T)).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The same as a graph: in -> att -> pool [-> dense] -> out. */
    static ComputationGraph graph(DataType dt, IUpdater u, Layer attention, Layer dense) {
        return graph(dt, u, null, attention, dense);
    }

    static ComputationGraph graph(DataType dt, IUpdater u, Layer pre, Layer attention, Layer dense) {
        ComputationGraphConfiguration.GraphBuilder g = base(dt, u, 12345).graphBuilder().addInputs("in");
        if (pre != null) {
            g.addLayer("pre", pre, "in");
        }
        g.addLayer("att", attention, pre == null ? "in" : "pre")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "att");
        String last = "pool";
        if (dense != null) {
            g.addLayer("dense", dense, "pool");
            last = "dense";
        }
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX).nOut(CLASSES).build(), last)
                .setOutputs("out").setInputTypes(InputType.recurrent(N_IN, T));
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        return net;
    }

    static INDArray input(DataType dt, int batch, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, batch, N_IN, T).castTo(dt);
    }

    /** Mask [batch, T]: example i has T - (i % 3) valid steps. */
    static INDArray mask(DataType dt, int batch) {
        INDArray m = Nd4j.ones(dt, batch, T);
        for (int i = 0; i < batch; i++) {
            for (int t = T - (i % 3); t < T; t++) {
                m.putScalar(i, t, 0);
            }
        }
        return m;
    }

    static INDArray labels(DataType dt, int batch) {
        INDArray l = Nd4j.zeros(dt, batch, CLASSES);
        for (int i = 0; i < batch; i++) {
            l.putScalar(i, i % CLASSES, 1);
        }
        return l;
    }
}
