package dev.hora.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.data.Example;
import dev.hora.data.TextDataset;
import dev.hora.kernels.Workspaces;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.PeftModel;
import dev.hora.text.TokenBatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The library's fit on all-MiniLM-L6-v2: selection on validation, other adapters untouched, exact resume. */
class FitTest {
    static final String[] GOOD = {"a wonderful film", "great acting and a great story", "i loved every minute",
        "superb and moving", "the best phone i ever had", "works perfectly", "delightful", "highly recommended",
        "a joy to watch", "excellent value"};
    static final String[] BAD = {"a boring mess", "terrible acting", "i hated it", "dull and far too long",
        "it broke after a day", "waste of money", "awful", "do not buy this", "painful to sit through", "very poor"};
    private static ImportedBert bert;
    private static TokenBatcher tok;

    @BeforeAll
    static void load() throws Exception {
        bert = TestModels.miniLm();
        tok = TokenBatcher.fromResource("all-minilm-l6-v2-tokenizer.json", 32);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    /** Examples from index {@code from} (every other one when {@code step} is 2) of both classes. */
    static TextDataset data(String name, int from, int step) {
        List<Example> ex = new ArrayList<>();
        for (int i = from; i < GOOD.length; i += step) {
            ex.add(new Example(GOOD[i], 1));
            ex.add(new Example(BAD[i], 0));
        }
        return new TextDataset(name, ex, List.of("negative", "positive"));
    }

    static PeftModel model() {
        PeftModel m = PeftModel.of(bert);
        m.addAdapter("a", AdapterConfig.builder().kind(AdapterKind.HORA).rank(4).targets(Target.Q, Target.V).build(),
                null, Pooling.MEAN, 2, 1);
        m.addAdapter("b", AdapterConfig.builder().kind(AdapterKind.LORA).rank(4).targets(Target.Q, Target.V).build(),
                null, Pooling.MEAN, 2, 2);
        return m;
    }

    static Map<String, INDArray> copy(Map<String, INDArray> live) {
        Map<String, INDArray> m = new HashMap<>();
        live.forEach((n, v) -> m.put(n, v.dup()));
        return m;
    }

    static FitOptions.Builder options() {
        return FitOptions.builder(tok).learningRate(3e-3).steps(8).batchSize(4).evalEvery(2).seed(5);
    }

    @Test
    void choosesTheStepOnValidationAndLeavesTheOtherAdapterUntouched() throws Exception {
        PeftModel m = model();
        Map<String, INDArray> bBefore = copy(m.adapter("b").parameters());
        Map<String, INDArray> aBefore = copy(m.adapter("a").parameters());
        List<Integer> steps = new ArrayList<>();
        long[] trainWorkspace = {0};
        TextDataset val = data("val", 1, 2);
        FitResult r = Fit.fit(m, "a", data("train", 0, 2), val, options().listener(new FitListener() {
            @Override
            public void onStep(int step, float loss, double lr, int examples) {
                steps.add(step);
                trainWorkspace[0] = Math.max(trainWorkspace[0], Workspaces.reservedBytes(Workspaces.TRAIN));
            }
        }).build());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8), steps);
        assertTrue(trainWorkspace[0] > 0, "the steps ran in the training workspace");
        assertEquals(0, Workspaces.reservedBytes(Workspaces.TRAIN), "freed once training ended, before the last scoring");
        assertEquals(8, r.steps());
        assertEquals(List.of(2, 3, 4, 6, 8), r.history().stream().map(BestOnValidation.Point::step).toList(),
                "validated every 2 steps and at the epoch ends (10 examples in batches of 4: 3 steps an epoch)");
        double best = r.history().stream().mapToDouble(BestOnValidation.Point::accuracy).max().orElseThrow();
        assertEquals(best, r.validation().accuracy());
        assertEquals(best, Fit.evaluate(Classifier.of(m, "a"), tok, val).accuracy(), 1e-12,
                "the adapter holds the chosen step's parameters");
        m.adapter("b").parameters().forEach((n, v) -> assertEquals(bBefore.get(n), v, "b." + n + " untouched"));
        assertTrue(m.adapter("a").parameters().entrySet().stream().anyMatch(e -> !e.getValue().equals(aBefore.get(e.getKey()))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fit.fit(m, "c",
                data("train", 0, 2), null, options().build()));
        assertTrue(e.getMessage().contains("'c'"), e.getMessage());
    }

    @Test
    void aResumedFitEndsAtTheWeightsOfAnUninterruptedOne(@TempDir Path dir) throws Exception {
        PeftModel whole = model();
        FitResult want = Fit.fit(whole, "a", data("train", 0, 1), data("val", 1, 2),
                options().checkpoints(new FileCheckpoints(dir.resolve("whole")), 2, false).build());

        PeftModel killed = model();
        FitCheckpoints store = new FileCheckpoints(dir.resolve("killed"));
        RuntimeException kill = assertThrows(RuntimeException.class, () -> Fit.fit(killed, "a", data("train", 0, 1),
                data("val", 1, 2), options().checkpoints(store, 2, false).listener(new FitListener() {
                    @Override
                    public void onStep(int step, float loss, double lr, int examples) {
                        if (step == 5) {
                            throw new RuntimeException("killed at step 5");
                        }
                    }
                }).build()));
        assertEquals("killed at step 5", kill.getMessage());
        PeftModel resumed = model();                 // a fresh process: the adapter's initial values again
        List<Integer> resumedAt = new ArrayList<>();
        FitResult got = Fit.fit(resumed, "a", data("train", 0, 1), data("val", 1, 2),
                options().checkpoints(store, 2, true).listener(new FitListener() {
                    @Override
                    public void onResumed(int step, int epoch, int batch, int epochs) {
                        resumedAt.add(step);
                    }
                }).build());
        assertEquals(List.of(4), resumedAt, "from the checkpoint of step 4");
        assertEquals(want.bestStep(), got.bestStep());
        assertEquals(want.history(), got.history());
        whole.adapter("a").parameters().forEach((n, v) -> assertArrayEquals(v.dup().data().asFloat(),
                resumed.adapter("a").parameters().get(n).dup().data().asFloat(), n + " bit-identical"));
        assertNotEquals(0, want.history().size());
    }
}
