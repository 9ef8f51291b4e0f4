package dev.hora.io.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class AdapterFolderRoundTripTest {

    private static void assertSame(Map<String, INDArray> want, Map<String, INDArray> got, String what) {
        assertEquals(want.keySet(), got.keySet(), what);
        want.forEach((k, v) -> assertEquals(v, got.get(k), what + " " + k));   // shape, dtype and values
    }

    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void writeThenReadGivesTheSameAdapter(AdapterKind kind, @TempDir Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(2).alpha(6).targets(Target.Q, Target.V, Target.O)
                .seedWidth(3).hiddenWidth(5).seed(9).dropout(0.1).build();
        Adapter a = Fixtures.adapter(cfg);
        Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(a, 0, 2);   // a subset of 3 layers
        Map<String, INDArray> head = kind == AdapterKind.LORA ? Fixtures.loraHead() : Fixtures.ownHead();
        AdapterFolder.write(dir, cfg, "sentence-transformers/all-MiniLM-L6-v2", layers, head, 3);

        SavedAdapter s = AdapterFolder.read(dir);
        assertEquals(cfg, s.config());
        assertEquals("sentence-transformers/all-MiniLM-L6-v2", s.baseModel());
        assertEquals(3, s.numLayers());
        assertEquals(a.projections().keySet(), s.projections().keySet());
        s.projections().forEach((t, p) -> {
            assertEquals(a.projections().get(t).dIn(), p.dIn());
            assertEquals(a.projections().get(t).dOut(), p.dOut());
        });
        assertEquals(layers.keySet(), s.layers().keySet());
        layers.forEach((i, p) -> assertSame(p, s.layers().get(i), "layer " + i));
        assertSame(head, s.head(), "head");
    }

    @Test
    void perHeadHoraAndNoHeadRoundTrip(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(3).perHeadOutput(true)
                .targets(Target.K).build();
        Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(Fixtures.adapter(cfg), 0);
        AdapterFolder.write(dir, cfg, null, layers, Map.of(), 1);
        SavedAdapter s = AdapterFolder.read(dir);
        assertEquals(cfg, s.config());
        assertEquals(new ProjectionShape(Fixtures.D, Fixtures.D, Fixtures.HEADS), s.projections().get(Target.K));
        assertSame(layers.get(0), s.layers().get(0), "layer 0");
        assertTrue(s.head().isEmpty());
        assertEquals(null, s.baseModel());
    }
}
