package dev.hora.io.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.AdapterKind;
import dev.hora.config.Target;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LoRA in Hugging Face PEFT's layout for a {@code BertModel} ({@link AdapterFolder} documents the
 * mapping). Writes and reads {@code adapter_model.safetensors} and {@code adapter_config.json}.
 */
final class PeftLoraFormat {
    static final String ROOT = "base_model.model.";
    static final String META_CONFIG = "hora.config";
    static final String META_LAYERS = "hora.num_layers";
    static final Pattern KEY = Pattern.compile("base_model\\.model\\.((?:bert\\.)?)encoder\\.layer\\.(\\d+)\\."
            + "(.+)\\.lora_([AB])\\.weight");

    private PeftLoraFormat() {
    }

    /** Tensor name, e.g. base_model.model.encoder.layer.0.intermediate.dense.lora_A.weight. */
    static String key(String prefix, int layer, Target t, char ab) {
        return ROOT + prefix + PeftModules.key(layer, t) + ".lora_" + ab + ".weight";
    }

    static void write(Path dir, AdapterConfig cfg, String baseModel, Map<Integer, Map<String, INDArray>> layers,
                      int numLayers) throws IOException {
        Map<String, INDArray> t = new TreeMap<>();
        layers.forEach((i, p) -> cfg.getTargets().forEach(tg -> {
            t.put(key("", i, tg, 'A'), p.get(tg.prefix() + "A").transpose().dup('c'));   // [r, d_in]
            t.put(key("", i, tg, 'B'), p.get(tg.prefix() + "B").transpose().dup('c'));   // [d_out, r]
        }));
        Map<String, String> meta = Map.of("format", "pt", META_CONFIG, Json.configTree(cfg).toString(),
                META_LAYERS, Integer.toString(numLayers));
        SafetensorsWriter.write(dir.resolve(AdapterFolder.MODEL_FILE), t, meta);
        Json.write(dir.resolve(AdapterFolder.CONFIG_FILE), config(cfg, baseModel, layers, numLayers));
    }

    /** PEFT's LoraConfig keys for the plain encoder (task FEATURE_EXTRACTION), sorted as PEFT writes them. */
    private static ObjectNode config(AdapterConfig cfg, String baseModel, Map<Integer, Map<String, INDArray>> layers,
                                     int numLayers) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.putObject("alpha_pattern");
        o.putNull("auto_mapping");
        o.put("base_model_name_or_path", baseModel);
        o.put("bias", "none");
        o.putNull("exclude_modules");
        o.put("fan_in_fan_out", false);
        o.put("inference_mode", true);
        o.put("init_lora_weights", true);
        o.putNull("layer_replication");
        o.putObject("loftq_config");
        double a = cfg.getAlpha();
        if (a == Math.rint(a) && Math.abs(a) < 1e9) {
            o.put("lora_alpha", (long) a);
        } else {
            o.put("lora_alpha", a);
        }
        o.put("lora_bias", false);
        o.put("lora_dropout", cfg.getDropout());
        o.putNull("megatron_config");
        o.put("megatron_core", "megatron.core");
        o.putNull("modules_to_save");
        o.put("peft_type", "LORA");
        o.put("r", cfg.getRank());
        o.putObject("rank_pattern");
        o.putNull("revision");
        PeftModules.writeSelection(o, cfg.getTargets(), new TreeSet<>(layers.keySet()), numLayers);
        o.put("task_type", "FEATURE_EXTRACTION");
        o.put("use_dora", false);
        o.put("use_rslora", cfg.isRsLora());
        return Json.sorted(o);
    }

    static SavedAdapter read(Path dir, ObjectNode json) throws IOException {
        Path cf = dir.resolve(AdapterFolder.CONFIG_FILE);
        Path mf = dir.resolve(AdapterFolder.MODEL_FILE);
        PeftOptions.refuseUnsupported(cf, json);
        int r0 = json.get(Json.require(cf, json, "r", "integer")).asInt();
        double alpha0 = json.get(Json.require(cf, json, "lora_alpha", "number")).asDouble();
        JsonNode rp = json.path("rank_pattern");
        SafetensorsReader.Content c = AdapterFolder.readTensors(mf, PeftLoraHeader.check(rp.isObject() && !rp.isEmpty() ? -1 : r0));

        Map<Integer, Map<String, INDArray>> found = new TreeMap<>();   // layer -> qA [d_in, r], qB [r, d_out], ...
        String prefix = null;
        for (Map.Entry<String, INDArray> e : c.tensors().entrySet()) {
            String k = e.getKey();
            Matcher m = KEY.matcher(k);
            Target t = m.matches() ? target(m.group(3)) : null;
            if (t == null) {
                throw new AdapterFolderException(mf, "unexpected tensor '" + k + "': not the lora_A/lora_B weight of a "
                        + "BERT projection (base_model.model.encoder.layer.{i}.{attention.self.query|attention.self.key|"
                        + "attention.self.value|attention.output.dense|intermediate.dense|output.dense}.lora_{A|B}.weight)");
            }
            if (prefix != null && !prefix.equals(m.group(1))) {
                throw new AdapterFolderException(mf, "tensor '" + k + "': keys mix 'base_model.model.bert.' and "
                        + "'base_model.model.' encoder paths");
            }
            prefix = m.group(1);
            found.computeIfAbsent(Json.index(mf, "layer index of tensor " + k, m.group(2)), i -> new HashMap<>())
                    .put(t.prefix() + m.group(4), transposed(mf, k, e.getValue()));
        }
        if (found.isEmpty()) {
            throw new AdapterFolderException(mf, "no LoRA tensors found");
        }
        int numLayers = numLayers(mf, c.metadata(), found);
        Map<Integer, Set<Target>> selected = PeftModules.select(cf, json, numLayers, prefix);
        Set<Target> targets = checkSelection(cf, mf, prefix, selected, found);

        double r = Double.NaN;
        double alpha = Double.NaN;
        String where = null;
        for (Map.Entry<Integer, Set<Target>> e : selected.entrySet()) {
            for (Target t : e.getValue()) {
                String mk = prefix + PeftModules.key(e.getKey(), t);
                double rk = PeftModules.patternValue(cf, json, "rank_pattern", mk, r0);
                double ak = PeftModules.patternValue(cf, json, "alpha_pattern", mk, alpha0);
                if (where != null && (rk != r || ak != alpha)) {
                    throw new AdapterFolderException(cf, "rank_pattern / alpha_pattern give " + where + " r = " + r
                            + ", alpha = " + alpha + " but " + mk + " r = " + rk + ", alpha = " + ak
                            + ": per-module ranks or scales are not supported (one r and lora_alpha per adapter)");
                }
                r = rk;
                alpha = ak;
                where = mk;
            }
        }
        if (r != Math.rint(r) || r < 1) {
            throw new AdapterFolderException(cf, "rank " + r + " of " + where + " is not a positive integer");
        }

        AdapterConfig cfg = new AdapterConfig();
        if (c.metadata().containsKey(META_CONFIG)) {
            try {
                cfg = Json.config(mf, Json.MAPPER.readTree(c.metadata().get(META_CONFIG)));
            } catch (JsonProcessingException e) {
                throw new AdapterFolderException(mf, "metadata '" + META_CONFIG + "' is not valid JSON", e);
            }
        }
        cfg.setKind(AdapterKind.LORA);
        cfg.setRank((int) r);
        cfg.setAlpha(alpha);
        cfg.setRsLora(Json.optional(cf, json, "use_rslora", "boolean") && json.get("use_rslora").asBoolean());
        cfg.setDropout(Json.optional(cf, json, "lora_dropout", "number") ? json.get("lora_dropout").asDouble() : 0);
        cfg.setTargets(targets);
        cfg = Json.config(cf, Json.configTree(cfg));
        Map<Target, ProjectionShape> proj = checkShapes(mf, cfg, prefix, found);
        String base = json.path("base_model_name_or_path").isTextual() ? json.get("base_model_name_or_path").asText() : null;
        return new SavedAdapter(cfg, base, numLayers, proj, found);
    }

    /** The layer count from our metadata, else one past the highest layer index found. */
    private static int numLayers(Path mf, Map<String, String> meta, Map<Integer, ?> found) throws AdapterFolderException {
        int seen = ((TreeMap<Integer, ?>) found).lastKey() + 1;
        String v = meta.get(META_LAYERS);
        if (v == null) {
            return seen;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= seen) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AdapterFolderException(mf, "metadata '" + META_LAYERS + "' = '" + v + "': expected an integer >= "
                + seen + " (tensors of layer " + (seen - 1) + " are present)");
    }

    /** The tensors present must be exactly the A and B of every selected module; returns the targets. */
    private static Set<Target> checkSelection(Path cf, Path mf, String prefix, Map<Integer, Set<Target>> selected,
                                              Map<Integer, Map<String, INDArray>> found) throws AdapterFolderException {
        for (Map.Entry<Integer, Map<String, INDArray>> e : found.entrySet()) {
            for (String p : new TreeSet<>(e.getValue().keySet())) {
                char ab = p.charAt(p.length() - 1);
                Target t = Arrays.stream(Target.values()).filter(x -> p.equals(x.prefix() + ab)).findFirst().orElseThrow();
                if (!selected.getOrDefault(e.getKey(), Set.of()).contains(t)) {
                    throw new AdapterFolderException(mf, "unexpected tensor '" + key(prefix, e.getKey(), t, ab)
                            + "': target_modules / layers_to_transform / exclude_modules of " + cf.getFileName()
                            + " do not select this module");
                }
            }
        }
        Set<Target> targets = null;
        int first = -1;
        for (Map.Entry<Integer, Set<Target>> e : selected.entrySet()) {
            if (targets != null && !targets.equals(e.getValue())) {
                throw new AdapterFolderException(cf, "the config selects " + targets + " in layer " + first + " but "
                        + e.getValue() + " in layer " + e.getKey() + ": every adapted layer must adapt the same projections");
            }
            targets = e.getValue();
            first = first < 0 ? e.getKey() : first;
            for (Target t : e.getValue()) {
                for (char ab : new char[]{'A', 'B'}) {
                    if (!found.getOrDefault(e.getKey(), Map.of()).containsKey(t.prefix() + ab)) {
                        throw new AdapterFolderException(mf, "missing tensor '" + key(prefix, e.getKey(), t, ab) + "'");
                    }
                }
            }
        }
        if (targets == null) {
            throw new AdapterFolderException(cf, "target_modules selects no BERT projection");
        }
        return targets;
    }

    private static Map<Target, ProjectionShape> checkShapes(Path mf, AdapterConfig cfg, String prefix,
                                                            Map<Integer, Map<String, INDArray>> layers)
            throws AdapterFolderException {
        Map<Target, ProjectionShape> proj = new EnumMap<>(Target.class);
        int r = cfg.getRank();
        for (Map.Entry<Integer, Map<String, INDArray>> e : layers.entrySet()) {
            int i = e.getKey();
            for (Target t : cfg.getTargets()) {
                INDArray a = e.getValue().get(t.prefix() + "A");
                INDArray b = e.getValue().get(t.prefix() + "B");
                ProjectionShape s = proj.computeIfAbsent(t, x -> new ProjectionShape(a.size(0), b.size(1), 1));
                expect(mf, key(prefix, i, t, 'A'), a, new long[]{s.dIn(), r});
                expect(mf, key(prefix, i, t, 'B'), b, new long[]{r, s.dOut()});
            }
        }
        return proj;
    }

    /** Checks a tensor read back (ours, transposed) against the expected shape, naming the PEFT key. */
    private static void expect(Path mf, String key, INDArray ours, long[] shape) throws AdapterFolderException {
        if (!Arrays.equals(ours.shape(), shape)) {
            throw new AdapterFolderException(mf, "tensor '" + key + "' has shape "
                    + Arrays.toString(new long[]{ours.size(1), ours.size(0)}) + ", expected "
                    + Arrays.toString(new long[]{shape[1], shape[0]}));
        }
    }

    /** The transpose of a file matrix ([r, d_in] -> [d_in, r]; F16 and BF16 arrive widened to F32). */
    private static INDArray transposed(Path mf, String key, INDArray a) throws AdapterFolderException {
        if (a.rank() != 2) {
            throw new AdapterFolderException(mf, "tensor '" + key + "' has shape " + Arrays.toString(a.shape())
                    + ", expected a matrix (rank 2)");
        }
        if (!a.dataType().isFPType()) {
            throw new AdapterFolderException(mf, "tensor '" + key + "' has dtype " + a.dataType()
                    + ", expected a floating-point type");
        }
        return a.transpose().dup('c');
    }

    /** The target of a module path inside a layer, or null. */
    static Target target(String path) {
        for (Target t : Target.values()) {
            if (t.hfPath().equals(path)) {
                return t;
            }
        }
        return null;
    }
}
