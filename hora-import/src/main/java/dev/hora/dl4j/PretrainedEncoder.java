package dev.hora.dl4j;

import dev.hora.config.AdapterConfig;
import dev.hora.layers.impl.ScaledLearningRate;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * A pretrained BERT-family encoder with a LoRA / MH-LoRA / HoRA adapter as a DL4J layer
 * (configuration; the runtime is {@link PretrainedEncoderLayer}):
 * <pre>
 *   input   token ids [B, S] (features; any numeric type), attention mask [B, S] = DL4J's features mask
 *           (none: every position counts); token types are 0
 *   h       = encoder(ids, mask; W frozen, adapter theta)                          [B, S, d]
 *   output  MEAN: sum_t m_t h_t / sum_t m_t  [B, d]     CLS: h_0  [B, d]     SEQUENCE: h as [B, d, S] (mask passed on)
 *   params  theta only: the adapter's trainable tensors ({@link EncoderParamInitializer}); W is never copied
 * </pre>
 * The JSON configuration names the encoder by its source (the built-in {@code all-minilm-l6-v2}, a
 * {@code .onnx} file, a {@code .jar} or {@code group:artifact:version}) and the SHA-256 of its ONNX
 * bytes, plus the adapter config; instantiating a network whose encoder bytes have another SHA-256
 * fails naming both. Encoders are shared per JVM ({@link Encoders}). Adapter dropout is applied with
 * masks drawn from (config seed, DL4J iteration). HoRA's generator trains at its learning-rate multiplier.
 */
public class PretrainedEncoder extends BaseLayer {
    private static final long serialVersionUID = 1L;

    /** What the layer outputs. */
    public enum Output {
        /** Masked mean over positions [B, d] (sentence-transformers models). */
        MEAN,
        /** The first ([CLS]) position [B, d] (the BGE family). */
        CLS,
        /** Every position, DL4J's recurrent layout [B, d, S]; the mask goes on to the next layer. */
        SEQUENCE
    }

    private String encoder;
    private String encoderSha256;
    private int hiddenSize;
    private AdapterConfig adapter;
    private Output output = Output.MEAN;
    private transient EncoderLayout layout;

    /** For JSON. */
    public PretrainedEncoder() {
    }

    private PretrainedEncoder(Builder b) {
        super(b);
        this.encoder = dev.hora.finetune.ModelSource.recorded(   // a file as an absolute path
                Objects.requireNonNull(b.encoder, "encoder: the source of the pretrained encoder is not set"));
        this.adapter = Objects.requireNonNull(b.adapter, "adapter: the adapter config is not set").copy().validate();
        this.output = Objects.requireNonNull(b.output, "output");
        String sha = Encoders.sha256(encoder);
        if (b.encoderSha256 != null && !b.encoderSha256.equalsIgnoreCase(sha)) {
            throw new IllegalArgumentException("encoder '" + encoder + "': its SHA-256 is " + sha + ", expected "
                    + b.encoderSha256);
        }
        this.encoderSha256 = sha;
        this.hiddenSize = Encoders.bert(encoder, sha).config().hiddenSize();
        layout();   // the adapter fits the encoder
    }

    public static Builder builder() {
        return new Builder();
    }

    public String getEncoder() {
        return encoder;
    }

    public String getEncoderSha256() {
        return encoderSha256;
    }

    public int getHiddenSize() {
        return hiddenSize;
    }

    /** A copy of the adapter config. */
    public AdapterConfig getAdapter() {
        return adapter.copy();
    }

    public Output getOutput() {
        return output;
    }

    /** The adapter's parameter layout on this encoder (the encoder loaded once per JVM, its SHA-256 checked). */
    EncoderLayout layout() {
        EncoderLayout l = layout;
        if (l == null) {
            l = EncoderLayout.of(Encoders.bert(encoder, encoderSha256), adapter);
            layout = l;
        }
        return l;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                        Collection<TrainingListener> listeners, int layerIndex,
                                                        INDArray paramsView, boolean initializeParams,
                                                        DataType networkDataType) {
        if (iDropout != null || weightNoise != null) {
            throw new IllegalArgumentException("layer '" + layerName + "': " + (iDropout != null ? "dropOut" : "weightNoise")
                    + " is not supported on a PretrainedEncoder (its input is token ids, its weights frozen): use the"
                    + " adapter config's dropout, or set dropOut on the layers after it");
        }
        PretrainedEncoderLayer layer = new PretrainedEncoderLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        Map<String, INDArray> table = initializer().init(conf, paramsView, initializeParams);
        layer.setParamTable(table);
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return EncoderParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (output != Output.SEQUENCE) {
            return InputType.feedForward(hiddenSize);
        }
        long len = inputType instanceof InputType.InputTypeFeedForward ff ? ff.getSize() : -1;
        return InputType.recurrent(hiddenSize, len);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // the encoder fixes every size; the input is [B, S] token ids of any S
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    /** The layer's (or network's) updater; HoRA's generator at {@code generatorLrMultiplier} times its rate. */
    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        double m = layout().lrMultiplier(paramName);
        return m == 1.0 ? iUpdater : ScaledLearningRate.scale(iUpdater, m, "generatorLrMultiplier");
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long n = layout().numParams();
        return new LayerMemoryReport.Builder(layerName, PretrainedEncoder.class, inputType,
                getOutputType(-1, inputType)).standardMemory(n, n).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PretrainedEncoder p && super.equals(o) && Objects.equals(encoder, p.encoder)
                && Objects.equals(encoderSha256, p.encoderSha256) && hiddenSize == p.hiddenSize
                && Objects.equals(adapter, p.adapter) && output == p.output;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), encoder, encoderSha256, adapter, output);
    }

    /**
     * {@code PretrainedEncoder.builder().encoder("all-minilm-l6-v2").adapter(cfg).output(Output.MEAN).build()};
     * the updater, regularization and gradient normalization as on any DL4J layer.
     */
    public static class Builder extends BaseLayer.Builder<Builder> {
        private String encoder;
        private String encoderSha256;
        private AdapterConfig adapter;
        private Output output = Output.MEAN;

        /** The encoder's source: built-in name, .onnx file, .jar or group:artifact:version. */
        public Builder encoder(String source) {
            this.encoder = source;
            return this;
        }

        /** Optional: the SHA-256 the encoder's ONNX bytes must have. */
        public Builder encoderSha256(String sha256) {
            this.encoderSha256 = sha256;
            return this;
        }

        public Builder adapter(AdapterConfig config) {
            this.adapter = config;
            return this;
        }

        public Builder output(Output output) {
            this.output = output;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public PretrainedEncoder build() {
            return new PretrainedEncoder(this);
        }
    }
}
