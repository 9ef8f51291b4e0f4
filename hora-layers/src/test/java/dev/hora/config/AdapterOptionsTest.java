package dev.hora.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** KEY=VALUE adapter options set the matching AdapterConfig properties; bad input names the key. */
class AdapterOptionsTest {

    @Test
    void everyVariantSettingIsReachable() {
        Map<String, String> o = AdapterOptions.parse(List.of("k=32", "e=4", "activation=relu", "learnable-seeds=false",
                "generator-lr=3", "init=xavier", "init-scale-a=0.5", "shared-pair=true", "rank=4", "alpha=8", "dropout=0.1"));
        AdapterConfig c = AdapterOptions.apply(AdapterConfig.builder(), o).build();
        assertEquals(0.1, c.getDropout());
        assertEquals(32, c.getHiddenWidth());
        assertEquals(4, c.getSeedWidth());
        assertEquals(Activation.RELU, c.getActivation());
        assertFalse(c.isLearnableSeeds());
        assertEquals(3.0, c.getGeneratorLrMultiplier());
        assertEquals(HoraInit.XAVIER, c.getHoraInit());
        assertEquals(0.5, c.getInitScaleA());
        assertTrue(c.isSharedPair());
        assertEquals(4, c.getRank());
        assertEquals(2.0, c.scale());
    }

    @Test
    void defaultsAreHoraMdsReading() {
        AdapterConfig c = new AdapterConfig();
        assertTrue(c.isLearnableSeeds());
        assertEquals(1.0, c.getGeneratorLrMultiplier());
        assertEquals(1.0, c.getInitScaleA());
        assertFalse(c.isSharedPair());
        assertEquals(HoraInit.LORA_SCALED, c.getHoraInit());
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdapterOptions.parse(List.of("width=3")));
        assertTrue(e.getMessage().contains("'width'") && e.getMessage().contains("hidden-width"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterOptions.parse(List.of("k")));
        assertTrue(e.getMessage().contains("KEY=VALUE"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterOptions.check(Map.of("k", "many")));
        assertTrue(e.getMessage().contains("k=many") && e.getMessage().contains("integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterOptions.check(Map.of("activation", "swish")));
        assertTrue(e.getMessage().contains("tanh"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterOptions.check(Map.of("generator-lr", "0")));
        assertTrue(e.getMessage().startsWith("generatorLrMultiplier"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> AdapterOptions.check(Map.of("shared-pair", "true", "per-head-output", "true")));
        assertTrue(e.getMessage().startsWith("sharedPair"), e.getMessage());
    }
}
