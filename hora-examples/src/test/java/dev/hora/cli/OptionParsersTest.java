package dev.hora.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OptionParsersTest {
    @Test
    void layers() {
        assertNull(LayerSelection.parse("all"));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), LayerSelection.parse("0-5"));
        assertEquals(List.of(3, 4, 5), LayerSelection.parse("5,3, 4"));
        assertEquals(List.of(0, 1, 2, 5), LayerSelection.parse("0-2,5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("5-3"))
                .getMessage().contains("empty layer range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("1,1"))
                .getMessage().contains("twice"));
        assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("x"));
        assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> LayerSelection.parse(","));
        LayerSelection.check(List.of(0, 5), 6);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> LayerSelection.check(List.of(6), 6))
                .getMessage().contains("has 6 layers"));
    }

    @Test
    void targets() {
        assertEquals(List.of("query", "value"), Targets.parse("value,query"));
        assertEquals(List.of("query", "key", "value", "output"), Targets.parse("q,k,v,o"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Targets.parse("query,dense"))
                .getMessage().contains("'dense'"));
        assertThrows(IllegalArgumentException.class, () -> Targets.parse("q,query"));
        assertThrows(IllegalArgumentException.class, () -> Targets.parse(" , "));
    }

    @Test
    void adapterKinds() {
        assertEquals(AdapterKind.MH_LORA, AdapterKind.parse("MH-LoRA"));
        assertEquals(AdapterKind.MH_LORA, AdapterKind.parse("mhlora"));
        assertEquals(AdapterKind.HORA, AdapterKind.parse("hora"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AdapterKind.parse("dora"))
                .getMessage().contains("[hora, mh-lora, lora, none]"));
    }
}
