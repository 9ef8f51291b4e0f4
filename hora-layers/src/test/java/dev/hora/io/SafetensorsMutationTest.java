package dev.hora.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.peft.AdapterFolder;
import dev.hora.io.peft.MutationFixtures;
import dev.hora.io.peft.SavedAdapter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Seeded mutants ({@link Mutants}) of safetensors weight files, checkpoints and adapter folders.
 * For every mutant: only the project's own exceptions (no hang: the test has a timeout), and
 * either an error or content identical to the original. Bare safetensors files and adapter
 * folders carry no checksum of their own (a run directory's manifest covers them), so a mutant
 * that changes only values there is counted as "undetectable", never one that changes a name,
 * dtype or shape; checkpoints (which carry {@code hora.sha256}) must have none.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SafetensorsMutationTest {
    @TempDir
    Path dir;

    private static int headerEnd(byte[] b) {
        return 8 + (int) ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static boolean sameTensors(Map<String, INDArray> a, Map<String, INDArray> b, boolean values) {
        if (!new TreeMap<>(a).keySet().equals(new TreeMap<>(b).keySet())) {
            return false;
        }
        for (String k : a.keySet()) {
            INDArray x = a.get(k);
            INDArray y = b.get(k);
            if (x.dataType() != y.dataType() || !Arrays.equals(x.shape(), y.shape())
                    || values && !Arrays.equals(x.dup().data().asDouble(), y.dup().data().asDouble())) {
                return false;
            }
        }
        return true;
    }

    /** rejected, identical, undetectable (values only); anything else fails the test. */
    private static int[] counts = new int[3];

    private static void classify(String what, Mutants.Mutant m, int outcome, boolean undetectableAllowed) {
        if (outcome == 2 && !undetectableAllowed) {
            fail(what + ": " + m.kind() + " mutant accepted with different content");
        }
        counts[outcome]++;
    }

    private static void report(String what, int n) {
        System.out.printf("%s mutants: %d, rejected %d, identical %d, values changed (no checksum in the format) %d%n",
                what, n, counts[0], counts[1], counts[2]);
        assertEquals(n, counts[0] + counts[1] + counts[2]);
        counts = new int[3];
    }

    @Test
    void weightFiles() throws IOException {
        Map<String, INDArray> t = Map.of("a", Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3),
                "b", Nd4j.createFromArray(1f, -2f, 3f, 0.5f));
        Path f = dir.resolve("w.safetensors");
        SafetensorsWriter.write(f, t, Map.of("format", "hora-run"));
        byte[] orig = Files.readAllBytes(f);
        Random r = new Random(11);
        int n = Mutants.count(300);
        for (int i = 0; i < n; i++) {
            Mutants.Mutant m = Mutants.of(orig, 8, Math.min(headerEnd(orig), orig.length), r);
            Files.write(f, m.bytes());
            int outcome;
            try {
                SafetensorsReader.Content c = SafetensorsReader.readWeights(f);
                // the consumer (PeftModel.setTrainable, the adapter readers) knows the names and shapes it needs
                outcome = !sameTensors(t, c.tensors(), false) ? 0 : sameTensors(t, c.tensors(), true)
                        && c.metadata().equals(Map.of("format", "hora-run")) ? 1 : 2;
            } catch (SafetensorsFormatException e) {
                outcome = 0;
            }
            classify("weights", m, outcome, true);
        }
        report("safetensors weights", n);
    }

    @Test
    void checkpoints() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        Map<String, INDArray> t = Map.of("param/w", Nd4j.createFromArray(0.25f, -1f), "updater/w",
                Nd4j.createFromArray(new float[] {1e-3f, 2e-3f, 3e-3f, 4e-3f}), "counter/iteration",
                Nd4j.createFromArray(new long[] {5}));
        store.save(new Checkpoint(5, t, Map.of("hora.epoch", "1", "hora.batch", "2")));
        byte[] orig = Files.readAllBytes(store.file());
        Checkpoint want = store.load().orElseThrow();
        Random r = new Random(12);
        int n = Mutants.count(300);
        for (int i = 0; i < n; i++) {
            Mutants.Mutant m = Mutants.of(orig, 8, Math.min(headerEnd(orig), orig.length), r);
            Files.write(store.file(), m.bytes());
            int outcome;
            try {
                Checkpoint c = store.load().orElseThrow();
                outcome = c.step() == want.step() && c.metadata().equals(want.metadata())
                        && sameTensors(want.tensors(), c.tensors(), true) ? 1 : 2;
            } catch (SafetensorsFormatException e) {
                outcome = 0;
            }
            classify("checkpoint", m, outcome, false);
        }
        report("checkpoint", n);
    }

    @Test
    void adapterFolders() throws Exception {
        for (AdapterKind kind : new AdapterKind[] {AdapterKind.LORA, AdapterKind.HORA}) {
            Path a = dir.resolve(kind.name());
            AdapterConfig cfg = AdapterConfig.builder().kind(kind).rank(2).targets(Target.Q, Target.V).build();
            MutationFixtures.write(a, cfg);
            SavedAdapter want = AdapterFolder.read(a);
            Random r = new Random(13 + kind.ordinal());
            int n = Mutants.count(300) / 2;
            for (String file : new String[] {AdapterFolder.MODEL_FILE, AdapterFolder.CONFIG_FILE}) {
                Path f = a.resolve(file);
                byte[] orig = Files.readAllBytes(f);
                boolean json = file.endsWith(".json");
                for (int i = 0; i < n; i++) {
                    Mutants.Mutant m = Mutants.of(orig, json ? 0 : 8, json ? orig.length
                            : Math.min(headerEnd(orig), orig.length), r);
                    Files.write(f, m.bytes());
                    int outcome;
                    try {
                        SavedAdapter got = AdapterFolder.read(a);
                        outcome = MutationFixtures.same(want, got, false) ? (MutationFixtures.same(want, got, true) ? 1 : 2) : -1;
                        if (outcome < 0) {
                            fail(kind + " " + file + ": " + m.kind() + " mutant accepted with other structure: "
                                    + got.config() + " " + got.layers().keySet());
                        }
                    } catch (IOException e) {
                        outcome = 0;
                    }
                    classify(kind + " " + file, m, outcome, true);
                }
                Files.write(f, orig);
            }
            report("adapter folder " + kind, 2 * n);
        }
    }
}
