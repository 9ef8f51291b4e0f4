package dev.hora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.data.Example;
import dev.hora.data.TextDataset;
import dev.hora.fit.Classifier;
import dev.hora.fit.Fit;
import dev.hora.fit.FitOptions;
import dev.hora.fit.FitResult;
import dev.hora.metrics.ClassificationReport;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.MergedModel;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The README's Java API section, compiled and run: the code between the README markers below is the
 * README's snippet line for line (the test reads README.md and compares), on a small data set.
 */
class ReadmeJavaApiTest {

    @Test
    void theReadmeSnippetRunsAsWritten(@TempDir Path tmp) throws Exception {
        List<Example> ex = new ArrayList<>();
        String[][] texts = {{"a wonderful film", "1"}, {"a boring mess", "0"}, {"i loved it", "1"}, {"i hated it", "0"},
            {"superb", "1"}, {"awful", "0"}, {"highly recommended", "1"}, {"waste of money", "0"}};
        for (String[] t : texts) {
            ex.add(new Example(t[0], Integer.parseInt(t[1])));
        }
        List<String> labels = List.of("negative", "positive");
        TextDataset train = new TextDataset("train", ex, labels);
        TextDataset validation = new TextDataset("validation", ex.subList(0, 4), labels);
        TextDataset testSet = new TextDataset("test", ex.subList(4, 8), labels);
        Path dir = tmp.resolve("adapters");
        FitResult r;                        // assigned in the README's try block, read by the checks below
        ClassificationReport test;
        INDArray p;
        // README:BEGIN
        ImportedBert bert = BertOnnx.fromResource("all-minilm-l6-v2.onnx");   // or BertOnnx.load(Path)
        PeftModel model = PeftModel.of(bert);                                // one frozen backbone, shared
        model.addAdapter("sentiment", AdapterConfig.builder().kind(AdapterKind.HORA).rank(8)
                .targets(Target.Q, Target.V).build(), null, Pooling.MEAN, 2, 42);
        model.addAdapter("topic", AdapterConfig.builder().kind(AdapterKind.LORA).rank(8)
                .targets(Target.Q, Target.V).build(), null, Pooling.MEAN, 2, 7);
        try (TokenBatcher tok = TokenBatcher.fromResource("all-minilm-l6-v2-tokenizer.json", 64)) {
            r = Fit.fit(model, "sentiment", train, validation,             // TextDataset: texts + labels
                    FitOptions.builder(tok).learningRate(1e-3).epochs(1).batchSize(8).build());
            test = Fit.evaluate(Classifier.of(model, "sentiment"), tok, testSet);
            Batch b = tok.encode(List.of("great phone", "what a waste of money"));
            p = model.predictProba(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray(),
                    List.of("sentiment", "topic"));                         // one adapter per row
        }
        model.saveAdapter("sentiment", dir.resolve("sentiment"), "sentence-transformers/all-MiniLM-L6-v2", labels, 64);
        model.loadAdapter("sentiment-copy", dir.resolve("sentiment"));      // or a PEFT LoRA folder
        MergedModel merged = model.merge("sentiment");                      // W + dW folded in, no adapter left
        // README:END
        assertEquals(1, r.steps());
        assertEquals(4, test.examples(), "scored the 4 test texts");
        assertEquals(2, p.size(0));
        assertTrue(Files.isRegularFile(dir.resolve("sentiment").resolve("adapter_config.json")));
        assertEquals(List.of("sentiment", "topic", "sentiment-copy"), model.adapterNames());
        assertEquals(0, merged.variableCount());

        String readme = Files.readString(Path.of("..", "README.md"));
        String source = Files.readString(Path.of("src", "test", "java", "dev", "hora", "ReadmeJavaApiTest.java"));
        String code = source.substring(source.indexOf("// README:BEGIN") + 16, source.indexOf("        // README:END"));
        for (String line : code.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty()) {
                assertTrue(readme.contains(l), "README.md lacks the compiled line: " + l);
            }
        }
    }
}
