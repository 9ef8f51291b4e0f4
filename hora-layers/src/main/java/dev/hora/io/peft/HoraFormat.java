package dev.hora.io.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.adapter.Adapters;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import dev.hora.io.HeaderCheck;
import dev.hora.io.SafetensorsReader;
import dev.hora.io.TensorEntry;
import dev.hora.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MH-LoRA and HoRA (not in PEFT): the same folder shape with this library's own names and config
 * ({@link AdapterFolder} documents it). Tensors are stored exactly as the adapter holds them.
 */
final class HoraFormat {
    static final String LAYER = "hora.layer.";
    static final String FORMAT = "hora-dl4j-adapter/1";
    private static final Pattern KEY = Pattern.compile("hora\\.layer\\.(\\d+)\\.([A-Za-z0-9]+)");
    private static final List<String> OWN_KEYS = List.of("peft_type", "format", "base_model_name_or_path",
            "num_layers", "layers_to_transform", "projections");

    private HoraFormat() {
    }

    static void write(Path dir, AdapterConfig cfg, String baseModel, Map<Integer, Map<String, INDArray>> layers,
                      int numLayers, Map<Target, ProjectionShape> proj) throws IOException {
        Map<String, INDArray> t = new TreeMap<>();
        layers.forEach((i, p) -> p.forEach((n, v) -> t.put(LAYER + i + "." + n, v)));
        SafetensorsWriter.write(dir.resolve(AdapterFolder.MODEL_FILE), t, Map.of("format", FORMAT));

        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("peft_type", cfg.getKind().name());
        o.put("format", FORMAT);
        o.put("base_model_name_or_path", baseModel);
        o.put("num_layers", numLayers);
        ArrayNode l = o.putArray("layers_to_transform");
        new TreeSet<>(layers.keySet()).forEach(l::add);
        ObjectNode pj = o.putObject("projections");
        proj.forEach((tg, s) -> pj.putObject(tg.name()).put("d_in", s.dIn()).put("d_out", s.dOut()).put("heads", s.heads()));
        o.setAll(Json.configTree(cfg));
        Json.write(dir.resolve(AdapterFolder.CONFIG_FILE), o);
    }

    /**
     * What the header must show before any tensor is read: {@code hora.layer.{i}.{param}} of the
     * layers to transform only, each parameter with the shape the config and projections give it.
     */
    private static HeaderCheck header(AdapterConfig cfg, Map<Target, ProjectionShape> proj, List<Integer> want) {
        Map<String, long[]> shapes;
        try {
            shapes = Adapters.create(cfg, proj).paramShapes();
        } catch (RuntimeException e) {
            shapes = null;   // projections that do not fit the config: reported after reading, by LayerParams
        }
        Map<String, long[]> expected = shapes;
        return (mf, h) -> {
            Map<Integer, Map<String, long[]>> found = new TreeMap<>();
            for (TensorEntry e : h.entries()) {
                Matcher m = KEY.matcher(e.name());
                int layer = m.matches() ? Json.index(mf, "layer index of tensor " + e.name(), m.group(1)) : -1;
                if (!m.matches() || !want.contains(layer)) {
                    throw new AdapterFolderException(mf, "unexpected tensor '" + e.name() + "' (layers_to_transform "
                            + want + ")");
                }
                found.computeIfAbsent(layer, i -> new HashMap<>()).put(m.group(2), e.shape());
            }
            for (int i : expected == null ? List.<Integer>of() : want) {   // in parameter order, as LayerParams checks
                Map<String, long[]> got = found.getOrDefault(i, Map.of());
                for (Map.Entry<String, long[]> p : expected.entrySet()) {
                    long[] s = got.get(p.getKey());
                    if (s == null || !Arrays.equals(s, p.getValue())) {
                        throw new AdapterFolderException(mf, "layer " + i + ": " + (s == null ? "missing tensor '"
                                + LAYER + i + "." + p.getKey() + "'" : "tensor '" + LAYER + i + "." + p.getKey()
                                + "' has shape " + Arrays.toString(s) + ", expected " + Arrays.toString(p.getValue())));
                    }
                }
                for (String p : got.keySet()) {
                    if (!expected.containsKey(p)) {
                        throw new AdapterFolderException(mf, "layer " + i + ": unexpected tensor '" + LAYER + i + "." + p
                                + "' (a " + cfg.getKind() + " layer has " + expected.keySet() + ")");
                    }
                }
            }
        };
    }

    static SavedAdapter read(Path dir, ObjectNode json) throws IOException {
        Path cf = dir.resolve(AdapterFolder.CONFIG_FILE);
        Path mf = dir.resolve(AdapterFolder.MODEL_FILE);
        ObjectNode rest = json.deepCopy();
        rest.remove(OWN_KEYS);
        AdapterConfig cfg = Json.config(cf, rest);
        String type = json.get("peft_type").asText();
        if (!cfg.getKind().name().equals(type)) {
            throw new AdapterFolderException(cf, "peft_type " + type + " disagrees with kind " + cfg.getKind());
        }
        int numLayers = json.get(Json.require(cf, json, "num_layers", "integer")).asInt();
        List<Integer> want = new ArrayList<>(Json.ints(cf, "layers_to_transform",
                json.get(Json.require(cf, json, "layers_to_transform", "array"))));
        Map<Target, ProjectionShape> proj = new EnumMap<>(Target.class);
        JsonNode pj = json.get(Json.require(cf, json, "projections", "object"));
        for (Iterator<Map.Entry<String, JsonNode>> it = pj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            for (String f : List.of("d_in", "d_out", "heads")) {
                Json.require(cf, e.getValue(), f, "integer");
            }
            try {
                proj.put(Target.valueOf(e.getKey()), new ProjectionShape(e.getValue().path("d_in").asLong(),
                        e.getValue().path("d_out").asLong(), e.getValue().path("heads").asInt()));
            } catch (IllegalArgumentException ex) {
                throw new AdapterFolderException(cf, "projections." + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        SafetensorsReader.Content c = AdapterFolder.readTensors(mf, header(cfg, proj, want));
        Map<Integer, Map<String, INDArray>> layers = new TreeMap<>();
        for (Map.Entry<String, INDArray> e : c.tensors().entrySet()) {
            Matcher m = KEY.matcher(e.getKey());
            int layer = m.matches() ? Json.index(mf, "layer index of tensor " + e.getKey(), m.group(1)) : -1;
            if (m.matches() && want.contains(layer)) {
                layers.computeIfAbsent(layer, i -> new LinkedHashMap<>()).put(m.group(2), e.getValue());
            } else {
                throw new AdapterFolderException(mf, "unexpected tensor '" + e.getKey() + "' (layers_to_transform "
                        + want + ")");
            }
        }
        for (int i : want) {
            try {
                LayerParams.check(cfg, proj, layers.getOrDefault(i, Map.of()));
            } catch (IllegalArgumentException ex) {
                throw new AdapterFolderException(mf, "layer " + i + ": " + ex.getMessage().replace("parameter '",
                        "tensor '" + LAYER + i + "."), ex);
            }
        }
        String base = json.path("base_model_name_or_path").isTextual() ? json.get("base_model_name_or_path").asText() : null;
        return new SavedAdapter(cfg, base, numLayers, proj, layers);
    }
}
