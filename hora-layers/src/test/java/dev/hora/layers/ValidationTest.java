package dev.hora.layers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/** Bad settings fail with an IllegalArgumentException naming the setting and the allowed range. */
class ValidationTest {

    private static void fails(String setting, String range, Supplier<?> build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(e.getMessage().contains(setting) && e.getMessage().contains(range),
                "message should name '" + setting + "' and '" + range + "': " + e.getMessage());
    }

    @Test
    void selfAttention() {
        fails("nHeads", "divisor of nOut = 10", () -> HoraSelfAttention.builder().nIn(4).nOut(10).nHeads(3).build());
        fails("nHeads", ">= 1", () -> HoraSelfAttention.builder().nIn(4).nOut(8).nHeads(0).build());
        fails("nOut", ">= 1", () -> HoraSelfAttention.builder().nIn(4).nOut(0).nHeads(1).build());
        fails("nIn", ">= 1", () -> HoraSelfAttention.builder().nIn(-1).nOut(8).nHeads(2).build());
        fails("headSize", ">= 1", () -> HoraSelfAttention.builder().nIn(4).nOut(8).nHeads(2).headSize(-2).build());
        AdapterConfig withO = AdapterConfig.builder().targets(Target.Q, Target.O).build();
        fails("nHeads", "when target O is adapted",
                () -> HoraSelfAttention.builder().nIn(4).nOut(10).nHeads(4).headSize(3).adapter(withO).build());
        AdapterConfig dropout = AdapterConfig.builder().dropout(0.1).build();
        fails("dropout", "allowed 0",
                () -> HoraSelfAttention.builder().nIn(4).nOut(8).nHeads(2).adapter(dropout).build());
    }

    @Test
    void missingNInWithoutInputType() {
        fails("nIn", ">= 1", () -> {
            MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().list()
                    .layer(HoraSelfAttention.builder().nOut(8).nHeads(2).build())
                    .layer(new OutputLayer.Builder().nIn(8).nOut(2).build()).build());
            net.init();
            return net;
        });
    }

    @Test
    void dense() {
        fails("heads", "divisor of nOut = 10", () -> AdaptedDense.builder().nIn(4).nOut(10).heads(4).build());
        fails("nOut", ">= 1", () -> AdaptedDense.builder().nIn(4).nOut(0).build());
        fails("nIn", ">= 1", () -> AdaptedDense.builder().nIn(-3).nOut(4).build());
        fails("input type", "feed-forward or recurrent", () -> {
            AdaptedDense d = AdaptedDense.builder().nOut(4).build();
            d.setNIn(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(4, 4, 1), true);
            return d;
        });
    }
}
