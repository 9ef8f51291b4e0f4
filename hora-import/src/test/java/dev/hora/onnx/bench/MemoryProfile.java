package dev.hora.onnx.bench;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.onnx.TestModels;
import dev.hora.peft.ClassifierHead;
import dev.hora.peft.PeftModel;
import dev.hora.train.Trainer;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Scratch (not a test): native memory over many kernel-path steps on the tiny BERT. Args: kind steps. */
public final class MemoryProfile {
    public static void main(String[] args) {
        PeftModel m = PeftModel.builder(TestModels.tiny()).adapter(AdapterConfig.builder()
                .kind(AdapterKind.valueOf(args[0])).build()).build();
        Map<String, INDArray> feed = new HashMap<>(TestModels.tinyFeeds(1, 9, 7, 5, 8));
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, 2);
        labels.getColumn(0).assign(1);
        feed.put(ClassifierHead.LABELS, labels);
        Trainer t = m.trainer(Trainer.builder().adam(1e-3, 0, 100000)).build();
        int steps = Integer.parseInt(args[1]);
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i <= steps; i++) {
            if (args.length > 2) {                       // varying batch shapes, as length-bucketed batches
                int b = 2 + r.nextInt(30);
                int[] lens = new int[b];
                for (int j = 0; j < b; j++) {
                    lens[j] = 3 + r.nextInt(21);
                }
                feed = new HashMap<>(TestModels.tinyFeeds(i, lens));
                INDArray lab = Nd4j.zeros(DataType.FLOAT, b, 2);
                lab.getColumn(0).assign(1);
                feed.put(ClassifierHead.LABELS, lab);
            }
            t.step(feed);
            if (i % (steps / 10) == 0) {
                System.out.printf("step %d  javacpp %.1f MB  physical %.1f MB%n", i, Pointer.totalBytes() / 1e6,
                        Pointer.physicalBytes() / 1e6);
            }
        }
    }
}
