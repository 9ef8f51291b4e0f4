package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointStoreTest {
    @TempDir
    Path dir;

    @Test
    void savesLoadsAndReplaces() throws IOException {
        CheckpointStore store = new CheckpointStore(dir.resolve("run"));
        assertTrue(store.load().isEmpty());
        store.save(new Checkpoint(10, Map.of("A", Nd4j.createFromArray(1f, 2f)), Map.of("epoch", "0")));
        store.save(new Checkpoint(20, Map.of("A", Nd4j.createFromArray(3f, 4f)), Map.of("epoch", "1")));
        Checkpoint c = store.load().orElseThrow();
        assertEquals(20, c.step());
        assertEquals(Map.of("epoch", "1"), c.metadata());
        assertEquals(Nd4j.createFromArray(3f, 4f), c.tensors().get("A"));
    }

    @Test
    void rejectsAPlainSafetensorsFile() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        SafetensorsWriter.write(store.file(), Map.of("A", Nd4j.createFromArray(1f)));
        var ex = assertThrows(SafetensorsFormatException.class, store::load);
        assertTrue(ex.getMessage().contains("not a hora checkpoint"));
        assertTrue(Files.exists(store.file()));
    }
}
