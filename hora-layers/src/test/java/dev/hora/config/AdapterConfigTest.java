package dev.hora.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.adapter.Adapters;
import dev.hora.adapter.ProjectionShape;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Bad values get an IllegalArgumentException naming the setting and the allowed range. */
class AdapterConfigTest {

    @Test
    void badValuesNameTheSettingAndRange() {
        expect(b -> b.rank(0), "rank", ">= 1");
        expect(b -> b.rank(-3), "rank", ">= 1");
        expect(b -> b.alpha(0), "alpha", "> 0");
        expect(b -> b.alpha(Double.NaN), "alpha", "> 0");
        expect(b -> b.dropout(1.0), "dropout", "[0, 1)");
        expect(b -> b.dropout(-0.1), "dropout", "[0, 1)");
        expect(b -> b.targets(List.of()), "targets", "{q, k, v, o");
        expect(b -> b.seedWidth(0), "seedWidth", ">= 1");
        expect(b -> b.hiddenWidth(0), "hiddenWidth", ">= 1");
    }

    @Test
    void unknownNamesAreRejectedWithTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Target.parse("ffn"));
        assertTrue(e.getMessage().contains("'ffn'") && e.getMessage().contains("q|query"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AdapterKind.parse("dora"));
        assertTrue(e.getMessage().contains("'dora'") && e.getMessage().contains("mh-lora"), e.getMessage());
        assertEquals(AdapterKind.MH_LORA, AdapterKind.parse("MH_LoRA"));
        assertEquals(Target.V, Target.parse("value"));
    }

    @Test
    void headsMustDivideTheWidth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProjectionShape(10, 10, 3));
        assertTrue(e.getMessage().contains("heads = 3") && e.getMessage().contains("d_out = 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Adapters.forAttention(AdapterConfig.builder().build(), 384, 5));
    }

    @Test
    void targetsAreDistinctAndOrdered() {
        AdapterConfig c = AdapterConfig.builder().targets(Target.V, Target.Q, Target.V).build();
        assertEquals(List.of(Target.Q, Target.V), c.getTargets());
        assertEquals(2.0, AdapterConfig.builder().rank(8).alpha(16).build().scale(), 0);
        assertEquals(16 / Math.sqrt(8), AdapterConfig.builder().rank(8).alpha(16).rsLora(true).build().scale(), 1e-12);
    }

    private static void expect(Consumer<AdapterConfig.Builder> change, String setting, String range) {
        AdapterConfig.Builder b = AdapterConfig.builder();
        change.accept(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith(setting) && e.getMessage().contains(range), e.getMessage());
    }
}
