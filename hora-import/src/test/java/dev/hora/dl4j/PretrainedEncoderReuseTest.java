package dev.hora.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.peft.MergedModel;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A trained network with a {@link PretrainedEncoder} reused the DL4J ways: TransferLearning (frozen
 * encoder, a new head), ParallelWrapper data-parallel training with 2 workers, and merged into a
 * plain inference model.
 */
class PretrainedEncoderReuseTest {

    @Test
    void transferLearningFreezesTheEncoderAndTrainsTheNewHead() {
        PretrainedEncoderNetworkTest.data();
        ComputationGraph g = TinyEncoderNets.textClassifier(PretrainedEncoderNetworkTest.lora(), 2, 1e-2, 5);
        g.fit(PretrainedEncoderNetworkTest.trainIter(), 1);
        INDArray adapter = g.getLayer("encoder").params().dup();
        ComputationGraph t = new TransferLearning.GraphBuilder(g)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-2)).seed(6).build())
                .setFeatureExtractor("encoder")
                .removeVertexAndConnections("out")
                .addLayer("head", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(32).nOut(2).build(), "encoder")
                .setOutputs("head").build();
        assertTrue(t.getLayer("encoder") instanceof FrozenLayer, t.getLayer("encoder").getClass().getName());
        INDArray head = t.getLayer("head").params().dup();
        t.fit(PretrainedEncoderNetworkTest.trainIter(), 2);
        assertEquals(adapter, t.getLayer("encoder").params(), "the frozen encoder's adapter did not move");
        assertNotEquals(head, t.getLayer("head").params(), "the new head trained");
        PretrainedEncoderNetworkTest.assertEncoderUntouched(t);
    }

    @Test
    void parallelWrapperTrainsWithTwoWorkers() throws Exception {
        PretrainedEncoderNetworkTest.data();
        ComputationGraph g = TinyEncoderNets.textClassifier(PretrainedEncoderNetworkTest.lora(), 2, 1e-2, 7);
        INDArray start = g.getLayer("encoder").params().dup();
        try (ParallelWrapper pw = new ParallelWrapper.Builder<>(g).workers(2).prefetchBuffer(2).averagingFrequency(1)
                .build()) {
            pw.fit(PretrainedEncoderNetworkTest.trainIter());
        }
        INDArray end = g.getLayer("encoder").params();
        assertNotEquals(start, end, "the adapter trained");
        assertTrue(end.sub(start).norm2Number().doubleValue() > 1e-3, "and moved visibly");
        PretrainedEncoderNetworkTest.assertEncoderUntouched(g);
    }

    @Test
    void aTrainedNetworkMergesIntoAPlainInferenceModel() {
        PretrainedEncoderNetworkTest.data();
        ComputationGraph g = TinyEncoderNets.textClassifier(PretrainedEncoderSerializerTest.hora(), 2, 2e-2, 8);
        g.fit(PretrainedEncoderNetworkTest.trainIter(), 2);
        DataSet batch = PretrainedEncoderNetworkTest.valIter().next();
        INDArray want = g.output(false, new INDArray[]{batch.getFeatures()},
                new INDArray[]{batch.getFeaturesMaskArray()})[0];
        MergedModel merged = EncoderMerge.merge(g, "encoder", "out");
        assertEquals(0, merged.variableCount(), "constants only: the adapter is folded into the weights");
        INDArray ids = batch.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.LONG);
        INDArray mask = batch.getFeaturesMaskArray().castTo(org.nd4j.linalg.api.buffer.DataType.LONG);
        INDArray got = merged.predictProba(ids, mask, Nd4j.zeros(ids.dataType(), ids.shape()));
        double diff = want.sub(got).amaxNumber().doubleValue();
        assertTrue(diff < 1e-5, "merged vs DL4J network, max |diff| " + diff);
        INDArray unadapted = EncoderMerge.toPeftModel(g, "encoder", "out", "x").predictProba(ids, mask,
                Nd4j.zeros(ids.dataType(), ids.shape()));
        assertTrue(want.sub(unadapted).amaxNumber().doubleValue() < 1e-5, "the unmerged adapter gives the same");
    }
}
