package dev.hora.examples.onnx;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.ImportedBert;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.Inputs;
import dev.hora.peft.MergedModel;
import dev.hora.peft.PeftModel;
import dev.hora.text.Batch;
import dev.hora.text.TokenBatcher;
import dev.hora.train.Trainer;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Import + adapt + fine-tune an ONNX encoder in a few lines (the README's second snippet):
 * all-MiniLM-L6-v2 from its Maven jar, HoRA on query and value, a 2-class head, a few AdamW
 * steps on four sentences, then a merged model with no adapter left. Prints the loss per step.
 *
 * <pre>
 *   mvn -q -pl hora-examples -am compile exec:java -Dexec.mainClass=dev.hora.examples.onnx.OnnxFineTuneExample
 * </pre>
 */
public final class OnnxFineTuneExample {
    private OnnxFineTuneExample() {
    }

    public static void main(String[] args) throws Exception {
        ImportedBert bert = BertOnnx.fromResource("all-minilm-l6-v2.onnx");
        PeftModel model = PeftModel.builder(bert)
                .adapter(AdapterConfig.builder().kind(AdapterKind.HORA).rank(8).targets(Target.Q, Target.V).build())
                .numClasses(2)
                .build();
        System.out.println(model.summary());

        Trainer trainer = model.trainer(Trainer.builder().adam(5e-3, 0, 0)).build();   // kernel engine
        List<String> texts = List.of("I love it", "Great value", "Terrible product", "It broke at once");
        INDArray labels = Nd4j.createFromArray(new float[][]{{0, 1}, {0, 1}, {1, 0}, {1, 0}});   // one-hot [4, 2]
        try (InputStream json = OnnxFineTuneExample.class.getResourceAsStream("/all-minilm-l6-v2-tokenizer.json");
             TokenBatcher tokenizer = TokenBatcher.fromTokenizerJson(json, 64)) {
            Batch b = tokenizer.encode(texts);
            Map<String, INDArray> feed = Inputs.feed(b.inputIdsArray(), b.attentionMaskArray(), b.tokenTypeIdsArray());
            feed.put(ClassifierHead.LABELS, labels);
            for (int step = 1; step <= 5; step++) {
                System.out.printf("step %d  loss %.4f%n", step, trainer.step(feed));
            }
            MergedModel merged = model.merge();   // W + dW folded in: plain SameDiff, no adapter variables
            System.out.println("merged P(positive): " + merged.predictProba(b.inputIdsArray(), b.attentionMaskArray(),
                    b.tokenTypeIdsArray()).getColumn(1));
        }
    }
}
