package dev.hora.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hora.config.AdapterKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one-line description (the chart's title) names the run's budget: epochs, or --steps when set. */
class FinetuneSettingsTest {
    private static FinetuneSettings settings(int epochs, int steps) {
        return new FinetuneSettings("all-minilm-l6-v2", null, "uci-sentiment", null, null, 0.2, 1, AdapterKind.LORA, 4,
                8, List.of("query", "value"), null, 1e-3, epochs, 8, 64, "mean", 42, "/tmp/run", false, 1, 0, 0.1, steps,
                0, Map.of(), null);
    }

    @Test
    void describeNamesEpochsOrSteps() {
        assertEquals("lora r 4 alpha 8 on query,value, layers all | uci-sentiment, all-minilm-l6-v2 | lr 0.001, "
                + "batch 8, 2 epochs, max length 64, mean pooling, seed 42", settings(2, 0).describe());
        assertEquals("lora r 4 alpha 8 on query,value, layers all | uci-sentiment, all-minilm-l6-v2 | lr 0.001, "
                + "batch 8, 1 epoch, max length 64, mean pooling, seed 42", settings(1, 0).describe());
        assertEquals("lora r 4 alpha 8 on query,value, layers all | uci-sentiment, all-minilm-l6-v2 | lr 0.001, "
                + "batch 8, 120 steps, max length 64, mean pooling, seed 42", settings(1, 120).describe());
    }
}
