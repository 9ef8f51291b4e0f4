package dev.hora.io.peft;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.HeaderCheck;
import dev.hora.io.SafetensorsDtype;
import dev.hora.io.SafetensorsFormatException;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.TensorEntry;
import dev.hora.io.UnexpectedTensorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An adapter as a folder: {@code adapter_model.safetensors} + {@code adapter_config.json}, the files
 * Hugging Face PEFT's {@code save_pretrained} writes, and optionally the classification head as
 * {@link ClassifierFile} ({@code classifier.safetensors} + {@code classifier_config.json}, with its
 * pooling). Each file is written atomically.
 *
 * <h2>LoRA: PEFT's layout for a {@code BertModel} (PEFT 0.21; loads with {@code PeftModel.from_pretrained})</h2>
 * PyTorch stores a Linear weight as {@code [out, in]} and computes {@code y = x W^T}; PEFT's LoRA
 * layer adds {@code lora_B(lora_A(dropout(x))) * scaling}, {@code scaling = lora_alpha / r}
 * ({@code use_rslora}: {@code lora_alpha / sqrt(r)}). With our {@code dW = s A B} ({@code A [d_in, r]},
 * {@code B [r, d_out]}, {@code s} = the same scaling) nothing is multiplied, only transposed:
 * <pre>
 *   base_model.model.encoder.layer.{i}.{module}.lora_A.weight = A^T   [r, d_in]
 *   base_model.model.encoder.layer.{i}.{module}.lora_B.weight = B^T   [d_out, r]
 *   module: attention.self.query | attention.self.key | attention.self.value | attention.output.dense
 *           | intermediate.dense | output.dense                     (Q, K, V, O, FFN_IN, FFN_OUT)
 *
 *   PEFT:  dW_torch = scaling * lora_B.weight @ lora_A.weight = (s A B)^T = dW^T
 * </pre>
 * The adapter name ("default") is not in the keys: PEFT strips it on save. {@code adapter_config.json}
 * holds PEFT's LoraConfig keys: {@code peft_type "LORA"}, {@code task_type "FEATURE_EXTRACTION"},
 * {@code r}, {@code lora_alpha}, {@code use_rslora}, {@code lora_dropout}, {@code target_modules} and
 * {@code layers_to_transform} ({@link PeftModules}), {@code bias "none"}, {@code modules_to_save null},
 * ...; our other settings and the layer count go to the safetensors metadata ({@code hora.config},
 * {@code hora.num_layers}, plus {@code format: pt}), which PEFT ignores. Reading also accepts a
 * PEFT folder saved from a task model ({@code base_model.model.bert.encoder...}), F16/BF16 tensors,
 * {@code target_modules} as a regular expression, {@code exclude_modules}, and {@code rank_pattern} /
 * {@code alpha_pattern} when they give every adapted module the same r and alpha; options it cannot
 * apply (DoRA, bias, modules_to_save, ...) are refused by name ({@link PeftOptions}).
 *
 * <h2>MH-LoRA and HoRA (not in PEFT): the same folder, our own names</h2>
 * <pre>
 *   hora.layer.{i}.{param}   exactly as Adapter.paramShapes(), e.g. qA [H, d_in, r], W1 [e, k], qZ [H r, e]
 *   adapter_config.json: peft_type "MH_LORA" | "HORA", format, base_model_name_or_path, num_layers,
 *     layers_to_transform, projections {Q: {d_in, d_out, heads}},
 *     + every AdapterConfig property (kind, rank, alpha, rsLora, targets, seedWidth, hiddenWidth, ...)
 * </pre>
 * Every adapted layer must have the same projection shapes (BERT-family encoders do).
 */
public final class AdapterFolder {
    public static final String MODEL_FILE = "adapter_model.safetensors";
    public static final String CONFIG_FILE = "adapter_config.json";
    private static final Logger LOG = LoggerFactory.getLogger(AdapterFolder.class);

    private AdapterFolder() {
    }

    /**
     * Writes the adapter into {@code dir} (created if needed; the two files are replaced).
     *
     * @param baseModel     base_model_name_or_path (may be null)
     * @param baseModel      base_model_name_or_path: a Hugging Face hub id or a file name (may be null)
     * @param perLayerParams layer index in [0, numLayers) -> the layer's parameters ({@code Adapter.paramShapes()})
     * @throws IllegalArgumentException naming the layer and parameter when the tensors do not fit the config
     */
    public static void write(Path dir, AdapterConfig cfg, String baseModel, Map<Integer, Map<String, INDArray>> perLayerParams,
                             int numLayers) throws IOException {
        cfg = cfg.copy().validate();
        Map<Target, ProjectionShape> proj = checkLayers(cfg, perLayerParams, numLayers);
        Files.createDirectories(dir);
        if (cfg.getKind() == AdapterKind.LORA) {
            PeftLoraFormat.write(dir, cfg, baseModel, perLayerParams, numLayers);
        } else {
            HoraFormat.write(dir, cfg, baseModel, perLayerParams, numLayers, proj);
        }
        LOG.info("wrote {} adapter ({} layers) to {}", cfg.getKind(), perLayerParams.size(), dir);
    }

    /**
     * Reads a folder written by {@link #write} (LoRA: also one written by PEFT for a BERT model).
     *
     * @throws AdapterFolderException naming the file and the problem (missing file, bad JSON,
     *                                missing or unexpected tensor, wrong shape, unsupported setting)
     */
    public static SavedAdapter read(Path dir) throws IOException {
        Path cf = dir.resolve(CONFIG_FILE);
        ObjectNode json = Json.read(cf);
        String type = json.get(Json.require(cf, json, "peft_type", "string")).asText();
        SavedAdapter a = switch (type) {
            case "LORA" -> PeftLoraFormat.read(dir, json);
            case "MH_LORA", "HORA" -> HoraFormat.read(dir, json);
            default -> throw new AdapterFolderException(cf, "peft_type '" + type + "' is not supported: allowed "
                    + "LORA (PEFT), MH_LORA, HORA (this library)");
        };
        LOG.debug("read {} adapter with {} layers from {}", a.config().getKind(), a.layers().size(), dir);
        return a;
    }

    /**
     * Reads the tensors of an adapter or head file once {@code check} has accepted its header (names
     * and shapes, before any data is read); F16, BF16 and F64 values arrive as F32 arrays.
     */
    static SafetensorsReader.Content readTensors(Path file, HeaderCheck check) throws IOException {
        SafetensorsReader.Content c;
        try {
            c = SafetensorsReader.read(file, (f, h) -> {
                for (TensorEntry e : h.entries()) {
                    if (!FLOAT_TYPES.contains(e.dtype())) {
                        throw new SafetensorsFormatException(f, "tensor '" + e.name() + "' has dtype " + e.dtype()
                                + ", expected F32 (or F16, BF16, F64) for weights");
                    }
                }
                check.check(f, h);
            });
        } catch (NoSuchFileException e) {
            throw new AdapterFolderException(file, "file not found", e);
        } catch (UnexpectedTensorException e) {
            throw new AdapterFolderException(file, e.problem(), e);
        }
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        c.tensors().forEach((n, a) -> out.put(n, a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT)));
        SafetensorsReader.Content floats = new SafetensorsReader.Content(out, c.metadata());
        SafetensorsReader.requireFinite(file, floats);   // an F64 value beyond the F32 range arrives infinite
        return floats;
    }

    /** The dtypes adapter tensors may be stored as. */
    private static final java.util.Set<SafetensorsDtype> FLOAT_TYPES = java.util.EnumSet.of(SafetensorsDtype.F32,
            SafetensorsDtype.F16, SafetensorsDtype.BF16, SafetensorsDtype.F64);

    private static Map<Target, ProjectionShape> checkLayers(AdapterConfig cfg, Map<Integer, Map<String, INDArray>> layers,
                                                            int numLayers) {
        Objects.requireNonNull(layers, "perLayerParams");
        if (numLayers < 1 || layers.isEmpty()) {
            throw new IllegalArgumentException("numLayers = " + numLayers + " and " + layers.size()
                    + " adapted layers: need numLayers >= 1 and at least one layer");
        }
        Map<Target, ProjectionShape> proj = null;
        for (Map.Entry<Integer, Map<String, INDArray>> e : layers.entrySet()) {
            int i = e.getKey();
            if (i < 0 || i >= numLayers) {
                throw new IllegalArgumentException("layer index " + i + " is out of range: allowed [0, " + numLayers + ")");
            }
            try {
                Map<Target, ProjectionShape> p = LayerParams.infer(cfg, e.getValue());
                if (proj != null && !proj.equals(p)) {
                    throw new IllegalArgumentException("projection shapes " + p + " differ from another layer's " + proj);
                }
                proj = p;
                LayerParams.check(cfg, p, e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("layer " + i + ": " + ex.getMessage(), ex);
            }
        }
        return proj;
    }
}
