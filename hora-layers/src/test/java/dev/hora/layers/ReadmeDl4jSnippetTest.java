package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.layers.convert.HoraConverter;
import dev.hora.layers.merge.HoraMerge;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

/** The README's DL4J snippet, compiled and run: the lines between the markers are the README's, line for line. */
class ReadmeDl4jSnippetTest {

    @Test
    void theReadmeSnippetRunsAsWritten() throws Exception {
        ComputationGraph existingNet = TestNets.graph(DataType.FLOAT, new Adam(0.005),
                TestNets.dl4jAttention(), null);
        // README:BEGIN
        AdapterConfig hora = AdapterConfig.builder().kind(AdapterKind.HORA).rank(4).alpha(8)
                .targets(Target.Q, Target.V).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().updater(new Adam(0.005))
                .graphBuilder().addInputs("tokens")
                .addLayer("attention", HoraSelfAttention.builder().nOut(16).nHeads(4).adapter(hora).build(), "tokens")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "attention")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nOut(2).build(), "pool")
                .setOutputs("out").setInputTypes(InputType.recurrent(6, 8)).build();
        ComputationGraph net = new ComputationGraph(conf);  net.init();   // Q/K/V/O frozen, only the adapter trains
        ComputationGraph merged = HoraMerge.merge(net);                  // W + dW, plain layers, same outputs
        ComputationGraph adapted = HoraConverter.convert(existingNet, hora); // SelfAttentionLayer -> HoraSelfAttention
        // README:END
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 6, 8);
        assertEquals(0.0, net.outputSingle(x).sub(merged.outputSingle(x)).amaxNumber().doubleValue(), 1e-5);
        assertTrue(adapted.getLayer("att").conf().getLayer() instanceof HoraSelfAttention, "converted");

        String readme = Files.readString(Path.of("..", "README.md"));
        String source = Files.readString(Path.of("src", "test", "java", "dev", "hora", "layers",
                "ReadmeDl4jSnippetTest.java"));
        String code = source.substring(source.indexOf("// README:BEGIN") + 16, source.indexOf("        // README:END"));
        for (String line : code.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty()) {
                assertTrue(readme.contains(l), "README.md lacks the compiled line: " + l);
            }
        }
    }
}
