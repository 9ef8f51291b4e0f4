package dev.hora.peft;

import dev.hora.backbone.BertBackbone;
import dev.hora.io.AtomicFiles;
import dev.hora.onnx.bert.BertEncoder;
import dev.hora.onnx.bert.BertEncoderBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fine-tuned classifier with its adapters folded into the weights: a plain SameDiff graph of
 * constants (no adapter variables, no overhead):
 * <pre>
 *   W'_t = W_t + dW_t  for every adapted projection t;   probabilities = softmax(pooled W_c + b_c)
 * </pre>
 * Predictions run on the kernel path ({@link BertBackbone}, same results as the
 * graph, tested). Saved as SameDiff's FlatBuffers file ({@link #save}) and read back with {@link #load}.
 */
public final class MergedModel {
    private final SameDiff sd;
    private final MergedKernels.Path kernels;   // null: SameDiff only (older files)

    private MergedModel(SameDiff sd) {
        this.sd = sd;
        this.kernels = MergedKernels.of(sd);
    }

    static MergedModel of(BertBackbone backbone, AdapterSet adapter) {
        if (adapter.numClasses() == 0) {
            throw new IllegalArgumentException("adapter '" + adapter.name() + "' has no classification head: a merged"
                    + " model is a classifier");
        }
        Map<String, INDArray> weights = new LinkedHashMap<>(backbone.withDeltas(adapter.deltaW(), 1).weights());
        SameDiff sd = SameDiff.create();
        BertEncoder enc = BertEncoderBuilder.of(backbone.config(), weights).pooling(adapter.pooling()).build(sd);
        Map<String, INDArray> head = adapter.headParams();
        ClassifierHead.build(sd, enc.pooled(), head.get(ClassifierHead.WEIGHT).dup(),
                head.get(ClassifierHead.BIAS).dup(), false);
        MergedKernels.record(sd, backbone.config(), adapter.pooling());
        return new MergedModel(sd);
    }

    /** Reads a model written by {@link #save}; errors name the file and the problem. */
    public static MergedModel load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": merged model file not found");
        }
        SameDiff sd;
        try {
            sd = SameDiff.load(file.toFile(), false);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a merged hora model (SameDiff FlatBuffers): " + e.getMessage(), e);
        }
        if (sd == null || !sd.hasVariable(ClassifierHead.PROBABILITIES) || !sd.hasVariable(BertEncoder.INPUT_IDS)) {
            throw new IllegalArgumentException(file + ": not a merged hora model: no '" + ClassifierHead.PROBABILITIES
                    + "' output or '" + BertEncoder.INPUT_IDS + "' input");
        }
        return new MergedModel(sd);
    }

    /** Writes the graph atomically (temp file, then rename). */
    public void save(Path file) throws IOException {
        AtomicFiles.writePath(file, tmp -> sd.save(tmp.toFile(), false));
    }

    public SameDiff sameDiff() {
        return sd;
    }

    /** Class probabilities [b, n], on the kernel path (the SameDiff graph for files without hora.config.*). */
    public INDArray predictProba(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        if (kernels != null) {
            return kernels.runner().run(Runner.Output.PROBABILITIES, inputIds, attentionMask, tokenTypeIds,
                    java.util.List.of(new Runner.Group(kernels.head(), 0, (int) inputIds.size(0))), kernels.pooling());
        }
        return sd.output(Inputs.feed(inputIds, attentionMask, tokenTypeIds), ClassifierHead.PROBABILITIES)
                .get(ClassifierHead.PROBABILITIES);
    }

    /** Number of trainable variables in the graph (0: everything is a constant). */
    public int variableCount() {
        return (int) sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE).count();
    }
}
