package dev.hora.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.peft.AdapterFolder;
import dev.hora.io.peft.ClassifierFile;
import dev.hora.io.peft.SavedClassifier;
import dev.hora.onnx.ImportedBert;
import dev.hora.onnx.TestModels;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.BertEncoderBuilder;
import dev.hora.onnx.bert.Pooling;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An exported LoRA adapter applied the way PEFT applies it, implemented here from PEFT's
 * documentation only: for each {@code base_model.model.<module>.lora_A/B.weight},
 * {@code W_torch' = W_torch + lora_alpha / r * B @ A} in PyTorch's {@code [out, in]} convention
 * (plain loops), the head as {@code nn.Linear} on the pooled output. The plain encoder with those
 * weights must give the PeftModel's outputs.
 */
class PeftExportParityTest {
    private static final Pattern KEY = Pattern.compile("base_model\\.model\\.(encoder\\.layer\\.\\d+\\..+)\\.lora_A\\.weight");

    @Test
    void peftArithmeticOnTheExportGivesTheSameOutputs(@TempDir Path dir) throws Exception {
        ImportedBert bert = TestModels.tiny();
        Map<String, INDArray> feeds = TestModels.tinyFeeds(4, 9, 6);
        for (Pooling pooling : new Pooling[]{Pooling.MEAN, Pooling.CLS}) {
            AdapterConfig cfg = AdapterConfig.builder().kind(AdapterKind.LORA).rank(2).alpha(6).targets(Target.values())
                    .build();
            PeftModel m = PeftModel.builder(bert).adapter(cfg).pooling(pooling).numClasses(3).build();
            Nd4j.getRandom().setSeed(11);
            m.adapterParams().values().forEach(p -> p.values().forEach(a -> a.assign(Nd4j.randn(a.dataType(), a.shape())
                    .muli(0.2))));
            m.headParams().values().forEach(a -> a.assign(Nd4j.randn(a.dataType(), a.shape())));
            Path d = dir.resolve(pooling.name());
            AdapterFolder.write(d, cfg, "tiny.onnx", m.adapterParams(), bert.config().numLayers());
            ClassifierFile.write(d, new SavedClassifier(m.headParams().get(ClassifierHead.WEIGHT),
                    m.headParams().get(ClassifierHead.BIAS), pooling.name().toLowerCase(), List.of("a", "b", "c"), 0));

            Map<String, INDArray> weights = peftMerged(bert, d);
            SameDiff sd = SameDiff.create();
            JsonNode head = new ObjectMapper().readTree(d.resolve(ClassifierFile.CONFIG_FILE).toFile());
            Pooling p = Pooling.valueOf(head.get("pooling").asText().toUpperCase());
            BertEncoderBuilder.of(bert.config(), weights).pooling(p).build(sd);
            Map<String, INDArray> out = sd.output(feeds, BertEncoder.LAST_HIDDEN_STATE, BertEncoder.POOLED);

            INDArray ids = feeds.get(BertEncoder.INPUT_IDS);
            INDArray mask = feeds.get(BertEncoder.ATTENTION_MASK);
            INDArray types = feeds.get(BertEncoder.TOKEN_TYPE_IDS);
            INDArray hidden = m.lastHiddenState(ids, mask, types);
            SameDiff base = SameDiff.create();
            bert.encoder().build(base);
            INDArray baseHidden = base.output(feeds, BertEncoder.LAST_HIDDEN_STATE).get(BertEncoder.LAST_HIDDEN_STATE);
            assertTrue(hidden.sub(baseHidden).amaxNumber().doubleValue() > 1e-2, "the adapter changes the encoder");
            assertEquals(0, hidden.sub(out.get(BertEncoder.LAST_HIDDEN_STATE)).amaxNumber().doubleValue(), 2e-4, pooling + " hidden");
            INDArray proba = m.predictProba(ids, mask, types);
            double[][] torch = linearSoftmax(d, out.get(BertEncoder.POOLED));
            for (int b = 0; b < torch.length; b++) {
                for (int c = 0; c < torch[b].length; c++) {
                    assertEquals(torch[b][c], proba.getDouble(b, c), 1e-4, pooling + " probability [" + b + "," + c + "]");
                }
            }
        }
    }

    /** The base weights with PEFT's update folded in: W [in, out] here, W_torch = W^T. */
    private static Map<String, INDArray> peftMerged(ImportedBert bert, Path dir) throws Exception {
        JsonNode cfg = new ObjectMapper().readTree(dir.resolve("adapter_config.json").toFile());
        assertEquals("FEATURE_EXTRACTION", cfg.get("task_type").asText());
        double scaling = cfg.get("lora_alpha").asDouble() / cfg.get("r").asDouble();
        Map<String, INDArray> t = SafetensorsReader.read(dir.resolve("adapter_model.safetensors")).tensors();
        Map<String, INDArray> w = new HashMap<>(bert.weights());
        int adapted = 0;
        for (String k : t.keySet()) {
            Matcher mt = KEY.matcher(k);
            if (!mt.matches()) {
                continue;
            }
            String module = mt.group(1);   // e.g. encoder.layer.0.intermediate.dense: the HF module name
            INDArray a = t.get(k);                                                   // [r, in]
            INDArray b = t.get(k.replace("lora_A", "lora_B"));                       // [out, r]
            INDArray base = w.get(module + ".weight");                               // [in, out]
            double[][] merged = new double[(int) b.size(0)][(int) a.size(1)];        // torch [out, in]
            for (int o = 0; o < merged.length; o++) {
                for (int i = 0; i < merged[o].length; i++) {
                    double s = 0;
                    for (int r = 0; r < a.size(0); r++) {
                        s += b.getDouble(o, r) * a.getDouble(r, i);
                    }
                    merged[o][i] = base.getDouble(i, o) + scaling * s;
                }
            }
            w.put(module + ".weight", Nd4j.create(merged).transpose().castTo(DataType.FLOAT).dup('c'));
            adapted++;
        }
        assertEquals(6 * bert.config().numLayers(), adapted, "every projection of every layer");
        return w;
    }

    /** softmax(pooled W_c^T + b_c) with classifier.safetensors as an nn.Linear (weight [C, d]). */
    private static double[][] linearSoftmax(Path dir, INDArray pooled) throws Exception {
        Map<String, INDArray> h = SafetensorsReader.read(dir.resolve(ClassifierFile.MODEL_FILE)).tensors();
        INDArray w = h.get("weight");
        INDArray bias = h.get("bias");
        double[][] p = new double[(int) pooled.size(0)][(int) w.size(0)];
        for (int b = 0; b < p.length; b++) {
            double z = 0;
            for (int c = 0; c < p[b].length; c++) {
                double s = bias.getDouble(c);
                for (int j = 0; j < w.size(1); j++) {
                    s += pooled.getDouble(b, j) * w.getDouble(c, j);
                }
                p[b][c] = Math.exp(s);
                z += p[b][c];
            }
            for (int c = 0; c < p[b].length; c++) {
                p[b][c] /= z;
            }
        }
        return p;
    }
}
