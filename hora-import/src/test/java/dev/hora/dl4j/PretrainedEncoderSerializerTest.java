package dev.hora.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.TestModels;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * ModelSerializer with a {@link PretrainedEncoder}: the file holds the configuration (encoder source,
 * its SHA-256, the adapter config), the adapter and head parameters and the updater state; a
 * restored network gives the same outputs and trains on to the weights of an uninterrupted run;
 * another encoder behind the same source is refused.
 */
class PretrainedEncoderSerializerTest {

    static AdapterConfig hora() {
        return AdapterConfig.builder().kind(AdapterKind.HORA).rank(2).seedWidth(2).hiddenWidth(4)
                .targets(Target.Q, Target.V, Target.FFN_IN).seed(9).build();
    }

    @Test
    void roundTripGivesTheSameOutputsAndResumedTrainingTheSameWeights(@TempDir Path dir) throws Exception {
        PretrainedEncoderNetworkTest.data();
        TextDataSetIterator whole = PretrainedEncoderNetworkTest.trainIter();
        ComputationGraph uninterrupted = TinyEncoderNets.textClassifier(hora(), 2, 1e-2, 4);
        uninterrupted.fit(whole, 2);

        TextDataSetIterator it = PretrainedEncoderNetworkTest.trainIter();
        ComputationGraph first = TinyEncoderNets.textClassifier(hora(), 2, 1e-2, 4);
        first.fit(it, 1);
        File f = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(first, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);

        String json = restored.getConfiguration().toJson();
        PretrainedEncoder conf = (PretrainedEncoder) restored.getLayer("encoder").conf().getLayer();
        assertTrue(json.contains(conf.getEncoderSha256()) && json.contains(TinyEncoderNets.onnx().toString()), json);
        assertEquals(ComputationGraphConfiguration.fromJson(json), restored.getConfiguration());
        assertEquals(first.params().length(), restored.params().length());
        assertEquals(first.params(), restored.params());
        DataSet batch = PretrainedEncoderNetworkTest.valIter().next();
        INDArray want = first.output(false, new INDArray[]{batch.getFeatures()},
                new INDArray[]{batch.getFeaturesMaskArray()})[0];
        INDArray got = restored.output(false, new INDArray[]{batch.getFeatures()},
                new INDArray[]{batch.getFeaturesMaskArray()})[0];
        assertEquals(want, got, "identical outputs after the round trip");
        assertNotEquals(restored.params(), uninterrupted.params(), "one epoch is not two");

        restored.fit(it, 1);   // the second epoch (the iterator's reset advances it)
        assertEquals(uninterrupted.params(), restored.params(),
                "restored + 1 epoch = 2 uninterrupted epochs (Adam's moments and step count restored)");
        assertEquals(uninterrupted.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
    }

    @Test
    void theWarmupScheduleOfHoraFinetuneSurvivesTheJson() {
        ComputationGraphConfiguration c = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .updater(new org.nd4j.linalg.learning.config.Adam(new dev.hora.train.LinearWarmupSchedule(1e-2, 2, 12)))
                .graphBuilder().addInputs("ids")
                .addLayer("encoder", TinyEncoderNets.encoder(hora(), PretrainedEncoder.Output.CLS), "ids")
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(32).nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build(), "encoder")
                .setOutputs("out").build();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(c.toJson());
        assertEquals(c, back);
        PretrainedEncoder enc = (PretrainedEncoder) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                back.getVertices().get("encoder")).getLayerConf().getLayer();
        assertEquals(0.5e-2, enc.getIUpdater().getLearningRate(1, 0), 1e-15, "warmup: step 1 of 2");
        assertEquals(PretrainedEncoder.Output.CLS, enc.getOutput());
        assertEquals(hora(), enc.getAdapter());
    }

    @Test
    void aReplacedEncoderIsRefusedOnRestore(@TempDir Path dir) throws Exception {
        Path onnx = dir.resolve("encoder.onnx");
        Files.write(onnx, TestModels.tinyOnnxBytes());
        ComputationGraph g = new ComputationGraph(new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .graphBuilder().addInputs("ids")
                .addLayer("encoder", PretrainedEncoder.builder().encoder(onnx.toString()).adapter(hora()).build(), "ids")
                .addLayer("out", new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder().nIn(32).nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build(), "encoder")
                .setOutputs("out").build());
        g.init();
        String sha = ((PretrainedEncoder) g.getLayer("encoder").conf().getLayer()).getEncoderSha256();
        File f = dir.resolve("net.zip").toFile();
        ModelSerializer.writeModel(g, f, false);
        Files.write(onnx, TestModels.tinyOnnxBytes(8));   // same shapes, other weights
        Files.setLastModifiedTime(onnx, FileTime.fromMillis(Files.getLastModifiedTime(onnx).toMillis() + 5000));
        RuntimeException e = assertThrows(RuntimeException.class, () -> ModelSerializer.restoreComputationGraph(f));
        String msg = messages(e);
        assertTrue(msg.contains(sha) && msg.contains(onnx.toString()) && msg.contains("SHA-256"), msg);
        assertThrows(IllegalArgumentException.class, () -> PretrainedEncoder.builder().encoder(onnx.toString())
                .encoderSha256(sha).adapter(hora()).build(), "a builder given the old SHA-256 refuses the new bytes");
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append(" | ");
        }
        return b.toString();
    }
}
