package dev.hora.io.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA in Hugging Face PEFT's layout for a BERT model ({@link AdapterFolder} documents the mapping).
 * Writes and reads {@code adapter_model.safetensors} and {@code adapter_config.json}.
 */
final class PeftLoraFormat {
    static final String ROOT = "base_model.model.";
    static final String HEAD = ROOT + "classifier.";
    static final String META_CONFIG = "hora.config";
    static final String META_LAYERS = "hora.num_layers";
    private static final Pattern KEY = Pattern.compile("base_model\\.model\\.(bert\\.)?encoder\\.layer\\.(\\d+)\\."
            + "(attention\\.self\\.query|attention\\.self\\.key|attention\\.self\\.value|attention\\.output\\.dense)"
            + "\\.lora_([AB])\\.weight");

    private PeftLoraFormat() {
    }

    /** Module path of a target inside a BERT layer. */
    static String module(Target t) {
        return t == Target.O ? "attention.output.dense" : "attention.self." + t.moduleName();
    }

    /** PEFT target_modules entry: the module's last name, or the unambiguous "attention.output.dense". */
    static String targetModule(Target t) {
        return t == Target.O ? "attention.output.dense" : t.moduleName();
    }

    /** Tensor name, e.g. base_model.model.encoder.layer.0.attention.self.query.lora_A.weight. */
    static String key(String encoderPrefix, int layer, Target t, char ab) {
        return ROOT + encoderPrefix + "encoder.layer." + layer + "." + module(t) + ".lora_" + ab + ".weight";
    }

    static void write(Path dir, AdapterConfig cfg, String baseModel, Map<Integer, Map<String, INDArray>> layers,
                      Map<String, INDArray> head, int numLayers) throws IOException {
        String enc = head.isEmpty() ? "" : "bert.";
        Map<String, INDArray> t = new TreeMap<>();
        layers.forEach((i, p) -> cfg.getTargets().forEach(tg -> {
            t.put(key(enc, i, tg, 'A'), p.get(tg.prefix() + "A").transpose().dup('c'));   // [r, d_in]
            t.put(key(enc, i, tg, 'B'), p.get(tg.prefix() + "B").transpose().dup('c'));   // [d_out, r]
        }));
        head.forEach((n, v) -> t.put(HEAD + n, n.equals("weight") ? v.transpose().dup('c') : v.reshape(v.length())));
        Map<String, String> meta = Map.of("format", "pt", META_CONFIG, Json.configTree(cfg).toString(),
                META_LAYERS, Integer.toString(numLayers));
        SafetensorsWriter.write(dir.resolve(AdapterFolder.MODEL_FILE), t, meta);
        Json.write(dir.resolve(AdapterFolder.CONFIG_FILE), config(cfg, baseModel, layers, head, numLayers));
    }

    /** PEFT's LoraConfig keys (sorted, as PEFT writes them). */
    private static ObjectNode config(AdapterConfig cfg, String baseModel, Map<Integer, Map<String, INDArray>> layers,
                                     Map<String, INDArray> head, int numLayers) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putObject("alpha_pattern");
        o.putNull("auto_mapping");
        o.put("base_model_name_or_path", baseModel);
        o.put("bias", "none");
        o.put("fan_in_fan_out", false);
        o.put("inference_mode", true);
        o.put("init_lora_weights", true);
        o.putNull("layer_replication");
        boolean all = layers.size() == numLayers;
        if (all) {
            o.putNull("layers_pattern");
            o.putNull("layers_to_transform");
        } else {
            o.put("layers_pattern", "layer");
            ArrayNode l = o.putArray("layers_to_transform");
            new TreeSet<>(layers.keySet()).forEach(l::add);
        }
        o.putObject("loftq_config");
        double a = cfg.getAlpha();
        if (a == Math.rint(a) && Math.abs(a) < 1e9) {
            o.put("lora_alpha", (long) a);
        } else {
            o.put("lora_alpha", a);
        }
        o.put("lora_dropout", cfg.getDropout());
        o.putNull("megatron_config");
        o.put("megatron_core", "megatron.core");
        if (head.isEmpty()) {
            o.putNull("modules_to_save");
        } else {
            o.putArray("modules_to_save").add("classifier");
        }
        o.put("peft_type", "LORA");
        o.put("r", cfg.getRank());
        o.putObject("rank_pattern");
        o.putNull("revision");
        ArrayNode tm = o.putArray("target_modules");
        cfg.getTargets().forEach(t -> tm.add(targetModule(t)));
        if (head.isEmpty()) {
            o.putNull("task_type");
        } else {
            o.put("task_type", "SEQ_CLS");
        }
        o.put("use_dora", false);
        o.put("use_rslora", cfg.isRsLora());
        return o;
    }

    static SavedAdapter read(Path dir, ObjectNode json) throws IOException {
        Path cf = dir.resolve(AdapterFolder.CONFIG_FILE);
        Path mf = dir.resolve(AdapterFolder.MODEL_FILE);
        if (!json.path("bias").asText("none").equals("none")) {
            throw new AdapterFolderException(cf, "bias = " + json.get("bias") + " is not supported: only \"none\"");
        }
        if (json.path("fan_in_fan_out").asBoolean(false) || json.path("use_dora").asBoolean(false)) {
            throw new AdapterFolderException(cf, "fan_in_fan_out and use_dora must be false");
        }
        List<Target> targets = new ArrayList<>();
        for (JsonNode n : json.get(Json.require(cf, json, "target_modules", "array"))) {
            targets.add(target(cf, n.asText()));
        }
        SafetensorsReader.Content c = AdapterFolder.readTensors(mf);
        AdapterConfig cfg = new AdapterConfig();
        if (c.metadata().containsKey(META_CONFIG)) {
            try {
                cfg = Json.config(mf, Json.MAPPER.readTree(c.metadata().get(META_CONFIG)));
            } catch (JsonProcessingException e) {
                throw new AdapterFolderException(mf, "metadata '" + META_CONFIG + "' is not valid JSON", e);
            }
        }
        cfg.setKind(AdapterKind.LORA);
        cfg.setRank(json.get(Json.require(cf, json, "r", "integer")).asInt());
        cfg.setAlpha(json.get(Json.require(cf, json, "lora_alpha", "number")).asDouble());
        cfg.setRsLora(json.path("use_rslora").asBoolean(false));
        cfg.setDropout(json.path("lora_dropout").asDouble(0));
        cfg.setTargets(targets);
        cfg = Json.config(cf, Json.configTree(cfg));

        Map<Integer, Map<String, INDArray>> layers = new TreeMap<>();
        Map<String, INDArray> head = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : c.tensors().entrySet()) {
            String k = e.getKey();
            Matcher m = KEY.matcher(k);
            if (m.matches() && targets.contains(target(cf, m.group(3).replace("attention.self.", "")))) {
                Target t = target(cf, m.group(3).replace("attention.self.", ""));
                layers.computeIfAbsent(Json.index(mf, "layer index of tensor " + k, m.group(2)), i -> new HashMap<>())
                        .put(t.prefix() + m.group(4), transposed(mf, k, e.getValue()));   // [d_in, r] / [r, d_out]
            } else if (k.equals(HEAD + "weight")) {
                head.put("weight", transposed(mf, k, e.getValue()));                      // [hidden, C]
            } else if (k.equals(HEAD + "bias")) {
                head.put("bias", e.getValue().reshape(1, e.getValue().length()));        // [1, C]
            } else {
                throw new AdapterFolderException(mf, "unexpected tensor '" + k + "' (LoRA for targets "
                        + json.get("target_modules") + ")");
            }
        }
        List<Integer> want = new ArrayList<>();
        JsonNode lt = json.path("layers_to_transform");
        if (!lt.isMissingNode() && !lt.isNull()) {
            want.addAll(Json.ints(cf, "layers_to_transform", lt));
        } else {
            want.addAll(layers.keySet());
        }
        Map<Target, ProjectionShape> proj = checkLayers(mf, cfg, layers, want, c.tensors());
        int numLayers = c.metadata().containsKey(META_LAYERS)
                ? Json.index(mf, "metadata " + META_LAYERS, c.metadata().get(META_LAYERS))
                : want.stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        String base = json.path("base_model_name_or_path").isTextual() ? json.get("base_model_name_or_path").asText() : null;
        return new SavedAdapter(cfg, base, numLayers, proj, layers, head);
    }

    private static Map<Target, ProjectionShape> checkLayers(Path mf, AdapterConfig cfg, Map<Integer, Map<String, INDArray>> layers,
                                                            List<Integer> want, Map<String, INDArray> tensors) throws AdapterFolderException {
        if (want.isEmpty()) {
            throw new AdapterFolderException(mf, "no LoRA tensors found");
        }
        String enc = tensors.keySet().stream().anyMatch(k -> k.startsWith(ROOT + "bert.")) ? "bert." : "";
        for (Integer i : layers.keySet()) {
            if (!want.contains(i)) {
                throw new AdapterFolderException(mf, "unexpected tensors of layer " + i + ": layers_to_transform is " + want);
            }
        }
        Map<Target, ProjectionShape> proj = new EnumMap<>(Target.class);
        int r = cfg.getRank();
        for (int i : want) {
            Map<String, INDArray> p = layers.getOrDefault(i, Map.of());
            for (Target t : cfg.getTargets()) {
                INDArray a = p.get(t.prefix() + "A");
                INDArray b = p.get(t.prefix() + "B");
                for (char ab : new char[]{'A', 'B'}) {
                    if ((ab == 'A' ? a : b) == null) {
                        throw new AdapterFolderException(mf, "missing tensor '" + key(enc, i, t, ab) + "'");
                    }
                }
                ProjectionShape s = proj.computeIfAbsent(t, x -> new ProjectionShape(a.size(0), b.size(b.rank() - 1), 1));
                expect(mf, key(enc, i, t, 'A'), a, new long[]{s.dIn(), r});
                expect(mf, key(enc, i, t, 'B'), b, new long[]{r, s.dOut()});
            }
        }
        return proj;
    }

    /** Checks a tensor read back (ours, transposed) against the expected shape, naming the PEFT key. */
    private static void expect(Path mf, String key, INDArray ours, long[] shape) throws AdapterFolderException {
        if (!Arrays.equals(ours.shape(), shape)) {
            long[] file = ours.rank() == 2 ? new long[]{ours.size(1), ours.size(0)} : ours.shape();
            throw new AdapterFolderException(mf, "tensor '" + key + "' has shape " + Arrays.toString(file)
                    + ", expected " + Arrays.toString(new long[]{shape[1], shape[0]}));
        }
    }

    private static INDArray transposed(Path mf, String key, INDArray a) throws AdapterFolderException {
        if (a.rank() != 2) {
            throw new AdapterFolderException(mf, "tensor '" + key + "' has shape " + Arrays.toString(a.shape())
                    + ", expected a matrix (rank 2)");
        }
        return a.transpose().dup('c');
    }

    private static Target target(Path cf, String module) throws AdapterFolderException {
        for (Target t : Target.values()) {
            if (targetModule(t).equals(module)) {
                return t;
            }
        }
        throw new AdapterFolderException(cf, "target_modules entry '" + module + "' is not supported: allowed "
                + "query, key, value, attention.output.dense");
    }
}
