package dev.hora.spark;

import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.ApplyMode;
import dev.hora.config.Target;
import dev.hora.onnx.BertOnnx;
import dev.hora.onnx.TinyBertFiles;
import dev.hora.onnx.bert.Pooling;
import dev.hora.peft.AdapterSet;
import dev.hora.peft.PeftModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the Spark tests share: the tiny BERT as files, three adapter folders of different kinds with random
 * (seeded) values, random texts over the tiny vocabulary, and a local Spark session.
 */
public final class SparkFixtures {
    public final Path dir;
    public final Path onnx;
    public final Path tokenizer;
    public final Map<String, Path> adapters = new LinkedHashMap<>();

    public SparkFixtures() throws IOException {
        dir = Files.createTempDirectory("hora-spark-test");
        onnx = TinyBertFiles.onnx(dir);
        tokenizer = TinyBertFiles.tokenizer(dir);
        PeftModel m = PeftModel.of(BertOnnx.load(onnx));
        Object[][] specs = {{"lora", AdapterKind.LORA, ApplyMode.FACTORISED, Pooling.MEAN, List.of(Target.Q, Target.V)},
            {"hora", AdapterKind.HORA, ApplyMode.DENSE, Pooling.MEAN, List.of(Target.values())},
            {"mh", AdapterKind.MH_LORA, ApplyMode.DENSE, Pooling.CLS, List.of(Target.Q, Target.K, Target.O)}};
        long seed = 1;
        for (Object[] s : specs) {
            @SuppressWarnings("unchecked")
            List<Target> targets = (List<Target>) s[4];
            AdapterSet a = m.addAdapter((String) s[0], AdapterConfig.builder().kind((AdapterKind) s[1]).rank(2)
                    .applyMode((ApplyMode) s[2]).targets(targets).build(), null, (Pooling) s[3], 3, seed);
            long k = seed++ * 1000;
            a.parameters().forEach((n, v) -> v.assign(Nd4j.randn(k + n.hashCode(), v.shape()).castTo(v.dataType()).muli(0.05)));
            a.parametersChanged();
            Path folder = dir.resolve("adapter-" + s[0]);
            m.saveAdapter((String) s[0], folder, "tiny.onnx", List.of("a", "b", "c"), 16);
            adapters.put((String) s[0], folder);
        }
    }

    /** {@code n} random texts of 1..12 words over the tiny vocabulary (seeded). */
    public static List<String> texts(int n, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = 1 + r.nextInt(12);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < len; w++) {
                sb.append(w == 0 ? "" : " ").append('w').append(4 + r.nextInt(TinyBertFiles.VOCAB - 4));
            }
            out.add(sb.toString());
        }
        return out;
    }

    /** local[2, 2]: two task slots, a failed task is retried once. */
    public static SparkSession spark() {
        return SparkSession.builder().master("local[2,2]").appName("hora-spark-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }
}
