package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAllDtypesShapesAndMetadata() throws Exception {
        Random rnd = new Random(7);
        Map<String, INDArray> in = new LinkedHashMap<>();
        float[] f = new float[2 * 3 * 4];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        in.put("layer.0.query.A", Nd4j.create(f, new long[] {2, 3, 4}, 'c'));
        in.put("d", Nd4j.createFromArray(new double[][] {{Math.PI, -1e-300}, {Double.MAX_VALUE, 0.5}}));
        in.put("ids", Nd4j.createFromArray(new long[] {Long.MIN_VALUE, 0, 42, Long.MAX_VALUE}));
        in.put("ints", Nd4j.createFromArray(new int[] {-3, 7}));
        in.put("scalar", Nd4j.scalar(2.5f));
        // a strided, F-ordered view must be written by value in C order
        INDArray base = Nd4j.rand(DataType.FLOAT, 5, 6).dup('f');
        in.put("view", base.get(NDArrayIndex.interval(1, 4), NDArrayIndex.interval(2, 5)));
        Path file = dir.resolve("a.safetensors");
        SafetensorsWriter.write(file, in, Map.of("format", "pt", "adapter", "hora"));

        SafetensorsReader.Content out = SafetensorsReader.read(file);
        assertEquals(Map.of("format", "pt", "adapter", "hora"), out.metadata());
        assertEquals(in.keySet(), out.tensors().keySet());
        for (var e : in.entrySet()) {
            INDArray got = out.tensors().get(e.getKey());
            assertEquals(e.getValue().dataType(), got.dataType(), e.getKey());
            assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
            assertEquals(e.getValue(), got, e.getKey());
        }
        assertEquals(0, out.tensors().get("scalar").rank());
    }

    @Test
    void writesOnlyTheTargetFileAndReplacesAnOldOne() throws Exception {
        Path file = dir.resolve("b.safetensors");
        SafetensorsWriter.write(file, Map.of("x", Nd4j.createFromArray(1f, 2f)));
        SafetensorsWriter.write(file, Map.of("y", Nd4j.createFromArray(3.0)));
        assertEquals(Map.of("y", Nd4j.createFromArray(3.0)), SafetensorsReader.read(file).tensors());
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
    }

    @Test
    void rejectsUnsupportedDtypeNamingTheTensor() {
        Path file = dir.resolve("c.safetensors");
        var ex = assertThrows(IllegalArgumentException.class,
                () -> SafetensorsWriter.write(file, Map.of("h", Nd4j.create(DataType.HALF, 2))));
        assertEquals(true, ex.getMessage().contains("'h'"), ex.getMessage());
        assertEquals(false, Files.exists(file));
    }
}
