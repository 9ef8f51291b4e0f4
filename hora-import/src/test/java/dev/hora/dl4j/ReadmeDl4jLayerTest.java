package dev.hora.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.data.Example;
import dev.hora.data.TextDataset;
import dev.hora.peft.MergedModel;
import dev.hora.text.TokenBatcher;
import dev.hora.train.LinearWarmupSchedule;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.InvocationType;
import org.deeplearning4j.optimize.listeners.EvaluativeListener;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/**
 * The README's section on the pretrained encoder in a DL4J network, compiled and run on all-MiniLM-L6-v2
 * (the code between the markers is the README's snippet line for line; the test compares), on 8 texts.
 */
class ReadmeDl4jLayerTest {

    @Test
    void theReadmeSnippetRunsAsWritten(@TempDir Path tmp) throws Exception {
        List<Example> ex = new ArrayList<>();
        String[] good = {"a fine meal", "friendly staff", "fresh and tasty", "we will come back"};
        String[] bad = {"cold soup", "rude waiter", "far too salty", "never again"};
        for (int i = 0; i < good.length; i++) {
            ex.add(new Example(good[i], 1));
            ex.add(new Example(bad[i], 0));
        }
        TextDataset trainSet = new TextDataset("train", ex, List.of("negative", "positive"));
        TextDataset validation = new TextDataset("validation", ex.subList(0, 4), List.of("negative", "positive"));
        File file = tmp.resolve("network.zip").toFile();
        Evaluation e;
        // README:BEGIN
        AdapterConfig lora = AdapterConfig.builder().kind(AdapterKind.LORA).rank(8).alpha(16)
                .targets(Target.Q, Target.V).build();
        ComputationGraph net = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(42)
                .updater(new Adam(new LinearWarmupSchedule(1e-3, 1, 4))).graphBuilder().addInputs("ids")
                .addLayer("encoder", PretrainedEncoder.builder().encoder("all-minilm-l6-v2")   // or x.onnx, x.jar, g:a:v
                        .adapter(lora).output(PretrainedEncoder.Output.MEAN).build(), "ids")   // pooled [B, 384]
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(384).nOut(2).build(), "encoder")
                .setOutputs("out").build());
        net.init();                                                  // parameters: the adapter's and the head's only
        try (TokenBatcher tok = TokenBatcher.fromResource("all-minilm-l6-v2-tokenizer.json", 64)) {
            DataSetIterator train = new TextDataSetIterator(tok, trainSet, 4, 42, true);   // bucketed, seeded
            DataSetIterator val = new TextDataSetIterator(tok, validation, 32, 42, false);
            net.setListeners(new ScoreIterationListener(10), new EvaluativeListener(val, 1, InvocationType.EPOCH_END));
            net.fit(train, 2);                                       // ids; attention mask = features mask
            e = net.evaluate(val);
        }
        ModelSerializer.writeModel(net, file, true);                 // config names the encoder + its SHA-256
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        MergedModel merged = EncoderMerge.merge(net, "encoder", "out");   // W + dW folded in: plain inference
        // README:END
        assertEquals(73_728 + 770, net.numParams(), "LoRA r 8 on q, v of 6 layers + the head; no encoder weight");
        assertEquals(4, e.getNumRowCounter());
        assertEquals(net.params(), restored.params());
        assertTrue(file.length() < 2_000_000, "the model file holds no encoder: " + file.length() + " bytes");
        assertEquals(0, merged.variableCount());

        String readme = Files.readString(Path.of("..", "README.md"));
        String source = Files.readString(Path.of("src", "test", "java", "dev", "hora", "dl4j", "ReadmeDl4jLayerTest.java"));
        String code = source.substring(source.indexOf("// README:BEGIN") + 16, source.indexOf("        // README:END"));
        for (String line : code.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty()) {
                assertTrue(readme.contains(l), "README.md lacks the compiled line: " + l);
            }
        }
    }
}
