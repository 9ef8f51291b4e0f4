package dev.hora.io.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.config.Target;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

/**
 * How PEFT names and selects the projections of a Hugging Face {@code BertModel}, following PEFT's
 * {@code check_target_module_exists} (PEFT 0.21). A module key is {@code encoder.layer.{i}.{path}}:
 * <pre>
 *   Q attention.self.query   K attention.self.key   V attention.self.value   O attention.output.dense
 *   FFN_IN intermediate.dense   FFN_OUT output.dense
 * </pre>
 * {@code target_modules} as a list selects a key equal to an entry or ending in {@code "." + entry};
 * as a string it is a regular expression the whole key must match. A list entry
 * {@code "output.dense"} matches both O and FFN_OUT, so FFN_OUT without O is written as a regular
 * expression. {@code layers_to_transform} (int or list; list form only) keeps the layers whose
 * index follows {@code layer.}; {@code exclude_modules} (list or string, same matching) removes keys.
 */
final class PeftModules {
    private PeftModules() {
    }

    /** The module key PEFT matches: {@code encoder.layer.{i}.{path}}. */
    static String key(int layer, Target t) {
        return "encoder.layer." + layer + "." + t.hfPath();
    }

    /** The shortest unambiguous list entry of a target ("query", ..., "intermediate.dense", "output.dense"). */
    private static String entry(Target t) {
        return t.isAttention() && t != Target.O ? t.hfPath().substring("attention.self.".length()) : t.hfPath();
    }

    /**
     * Writes {@code target_modules}, {@code layers_to_transform} and {@code layers_pattern} into
     * {@code o} so that PEFT selects exactly {@code targets} in {@code layers} of a model with
     * {@code numLayers} layers.
     */
    static void writeSelection(ObjectNode o, Collection<Target> targets, Set<Integer> layers, int numLayers) {
        boolean all = layers.size() == numLayers;
        if (targets.contains(Target.FFN_OUT) && !targets.contains(Target.O)) {
            String mods = targets.stream().map(t -> t.hfPath().replace(".", "\\."))
                    .collect(Collectors.joining("|"));
            String ls = all ? "\\d+" : layers.stream().map(String::valueOf).collect(Collectors.joining("|"));
            o.put("target_modules", ".*encoder\\.layer\\.(" + ls + ")\\.(" + mods + ")");
            o.putNull("layers_pattern");
            o.putNull("layers_to_transform");
            return;
        }
        ArrayNode tm = o.putArray("target_modules");
        targets.forEach(t -> tm.add(entry(t)));
        if (all) {
            o.putNull("layers_pattern");
            o.putNull("layers_to_transform");
        } else {
            o.put("layers_pattern", "layer");
            ArrayNode l = o.putArray("layers_to_transform");
            layers.forEach(l::add);
        }
    }

    /**
     * The projections PEFT would adapt in layers {@code [0, numLayers)} under this config.
     *
     * @param prefix "" for BertModel keys, "bert." when the adapter was saved from a task model
     * @return layer -> selected targets (layers with none left out)
     */
    static Map<Integer, Set<Target>> select(Path cf, ObjectNode json, int numLayers, String prefix)
            throws AdapterFolderException {
        Matcher tm = matcher(cf, json, "target_modules", true);
        Matcher ex = json.hasNonNull("exclude_modules") ? matcher(cf, json, "exclude_modules", false) : k -> false;
        Set<Integer> layers = layersToTransform(cf, json);
        if (!layers.isEmpty() && !json.path("target_modules").isArray()) {
            throw new AdapterFolderException(cf, "layers_to_transform needs target_modules as a list (PEFT forbids it "
                    + "with a regular expression)");
        }
        Map<Integer, Set<Target>> m = new TreeMap<>();
        for (int i = 0; i < numLayers; i++) {
            if (!layers.isEmpty() && !layers.contains(i)) {
                continue;
            }
            Set<Target> s = EnumSet.noneOf(Target.class);
            for (Target t : Target.values()) {
                String k = prefix + key(i, t);
                if (tm.matches(k) && !ex.matches(k)) {
                    s.add(t);
                }
            }
            if (!s.isEmpty()) {
                m.put(i, s);
            }
        }
        return m;
    }

    /** The value of {@code rank_pattern} / {@code alpha_pattern} for a module key (PEFT's get_pattern_key). */
    static double patternValue(Path cf, ObjectNode json, String field, String moduleKey, double dflt)
            throws AdapterFolderException {
        JsonNode p = json.path(field);
        if (p.isMissingNode() || p.isNull()) {
            return dflt;
        }
        if (!p.isObject()) {
            throw new AdapterFolderException(cf, field + " is " + p + ": expected an object {pattern: value}");
        }
        for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) p::fields) {
            if (compile(cf, field, "(.*\\.)?(" + e.getKey() + ")$").matcher(moduleKey).matches()) {
                if (!e.getValue().isNumber()) {
                    throw new AdapterFolderException(cf, field + "." + e.getKey() + " is " + e.getValue()
                            + ": expected a number");
                }
                return e.getValue().asDouble();
            }
        }
        return dflt;
    }

    @FunctionalInterface
    private interface Matcher {
        boolean matches(String key);
    }

    private static Matcher matcher(Path cf, ObjectNode json, String field, boolean required) throws AdapterFolderException {
        JsonNode n = json.path(field);
        if (n.isTextual()) {
            Pattern p = compile(cf, field, n.asText());
            return k -> p.matcher(k).matches();
        }
        if (!n.isArray() || (required && n.isEmpty())) {
            throw new AdapterFolderException(cf, (n.isMissingNode() ? "missing key '" + field + "'" : field + " is " + n)
                    + ": expected a list of module names or a regular expression");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) {
                throw new AdapterFolderException(cf, field + " entry " + e + " is not a string");
            }
            names.add(e.asText());
        }
        return k -> names.stream().anyMatch(e -> k.equals(e) || k.endsWith("." + e));
    }

    private static Set<Integer> layersToTransform(Path cf, ObjectNode json) throws AdapterFolderException {
        JsonNode n = json.path("layers_to_transform");
        Set<Integer> s = new LinkedHashSet<>();
        if (n.isInt()) {
            s.add(n.asInt());
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isInt() || e.asInt() < 0) {
                    throw new AdapterFolderException(cf, "layers_to_transform entry " + e + ": expected an index >= 0");
                }
                s.add(e.asInt());
            }
        } else if (!n.isMissingNode() && !n.isNull()) {
            throw new AdapterFolderException(cf, "layers_to_transform is " + n + ": expected an index, a list or null");
        }
        String lp = json.path("layers_pattern").isTextual() ? json.get("layers_pattern").asText() : "layer";
        if (!s.isEmpty() && !lp.equals("layer")) {
            throw new AdapterFolderException(cf, "layers_pattern '" + lp + "' is not a BERT layer list: allowed \"layer\"");
        }
        return s;
    }

    private static Pattern compile(Path cf, String field, String regex) throws AdapterFolderException {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new AdapterFolderException(cf, field + ": '" + regex + "' is not a valid regular expression: "
                    + e.getDescription(), e);
        }
    }
}
