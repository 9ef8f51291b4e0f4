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

    /** Every adapter kind with every target kind (attention Q, K, V, O and feed-forward in and out). */
    @ParameterizedTest
    @EnumSource(AdapterKind.class)
    void writeThenReadGivesTheSameAdapter(AdapterKind kind, @TempDir Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(2).alpha(6).targets(Target.values())
                .seedWidth(3).hiddenWidth(5).seed(9).dropout(0.1).build();
        Adapter a = Fixtures.adapter(cfg);
        Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(a, 0, 2);   // a subset of 3 layers
        AdapterFolder.write(dir, cfg, "sentence-transformers/all-MiniLM-L6-v2", layers, 3);

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
    }

    /** Each single target on its own, so no target hides a wrong path of another. */
    @ParameterizedTest
    @EnumSource(Target.class)
    void eachTargetAloneRoundTrips(Target t, @TempDir Path dir) throws Exception {
        for (AdapterKind kind : AdapterKind.values()) {
            AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(2).targets(t).build();
            Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(Fixtures.adapter(cfg), 1);
            Path d = dir.resolve(kind.name());
            AdapterFolder.write(d, cfg, null, layers, 2);
            SavedAdapter s = AdapterFolder.read(d);
            assertEquals(cfg, s.config(), kind + " " + t);
            assertSame(layers.get(1), s.layers().get(1), kind + " " + t);
        }
    }

    @Test
    void classifierRoundTripsAsATorchLinear(@TempDir Path dir) throws Exception {
        assertTrue(ClassifierFile.read(dir).isEmpty());
        SavedClassifier c = Fixtures.classifier("cls");
        ClassifierFile.write(dir, c);
        SavedClassifier back = ClassifierFile.read(dir).orElseThrow();
        assertEquals(c.weight(), back.weight());
        assertEquals(c.bias(), back.bias());
        assertEquals(c.pooling(), back.pooling());
        assertEquals(c.labels(), back.labels());
        assertEquals(64, back.maxLength());
        Map<String, INDArray> t = dev.hora.io.SafetensorsReader.read(dir.resolve(ClassifierFile.MODEL_FILE)).tensors();
        assertEquals(c.weight().transpose(), t.get("weight"));          // nn.Linear: [C, d]
        assertEquals(c.bias().reshape(Fixtures.CLASSES), t.get("bias"));
    }

    @Test
    void perHeadHoraAndNoHeadRoundTrip(@TempDir Path dir) throws Exception {
        AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.HORA).rank(3).perHeadOutput(true)
                .targets(Target.K).build();
        Map<Integer, Map<String, INDArray>> layers = Fixtures.layers(Fixtures.adapter(cfg), 0);
        AdapterFolder.write(dir, cfg, null, layers, 1);
        SavedAdapter s = AdapterFolder.read(dir);
        assertEquals(cfg, s.config());
        assertEquals(new ProjectionShape(Fixtures.D, Fixtures.D, Fixtures.HEADS), s.projections().get(Target.K));
        assertSame(layers.get(0), s.layers().get(0), "layer 0");
        assertEquals(null, s.baseModel());
    }
}
