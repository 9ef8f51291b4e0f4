package dev.hora.peft;

import dev.hora.adapter.Adapter;
import dev.hora.adapter.Adapters;
import dev.hora.adapter.ProjectionShape;
import dev.hora.config.AdapterConfig;
import dev.hora.config.Target;
import dev.hora.backbone.Backbone;
import dev.hora.backbone.BertBackbone;
import dev.hora.onnx.ImportedBert;
import dev.hora.backbone.Site;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which projections of an encoder get an adapter, like PEFT's {@code target_modules} and
 * {@code layers_to_transform}: a projection is selected when
 * <pre>
 *   (its module is in modules  OR  its weight name matches regex)  AND  (layers empty OR its layer in layers)
 * </pre>
 * Module names: query, key, value, output (attention output), intermediate (feed-forward in),
 * ffn-output (feed-forward out). Weight names are HF names, e.g.
 * {@code encoder.layer.3.attention.self.query.weight}; the regex must match the whole name
 * ({@code .*layer\.[0-2]\..*query.*}).
 */
public final class ModuleSelector {
    private final Set<Target> modules;
    private final Pattern regex;
    private final Set<Integer> layers;

    private ModuleSelector(Set<Target> modules, Pattern regex, Set<Integer> layers) {
        this.modules = modules;
        this.regex = regex;
        this.layers = layers;
    }

    /** Selects {@code modules} in every layer. */
    public static ModuleSelector modules(Collection<Target> modules) {
        return new ModuleSelector(modules.isEmpty() ? EnumSet.noneOf(Target.class) : EnumSet.copyOf(modules),
                null, new TreeSet<>());
    }

    /** Selects every projection whose HF weight name matches {@code regex} (whole name). */
    public static ModuleSelector regex(String regex) {
        try {
            return new ModuleSelector(EnumSet.noneOf(Target.class), Pattern.compile(regex), new TreeSet<>());
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("target regex '" + regex + "' is not a valid regular expression: "
                    + e.getDescription(), e);
        }
    }

    /** The same selection restricted to these layer indices (0-based); empty = all layers. */
    public ModuleSelector layers(Collection<Integer> layerIndices) {
        for (Integer l : layerIndices) {
            if (l == null || l < 0) {
                throw new IllegalArgumentException("layers: index " + l + " is out of range: allowed >= 0");
            }
        }
        return new ModuleSelector(modules, regex, new TreeSet<>(layerIndices));
    }

    /** True when the projection at {@code site} gets an adapter. */
    public boolean selects(Site site) {
        if (!layers.isEmpty() && !layers.contains(site.layer())) {
            return false;
        }
        return modules.contains(site.role()) || (regex != null && regex.matcher(site.weightName()).matches());
    }

    /**
     * Per layer, one adapter of {@code config}'s kind over the projections of that layer this selects
     * (its targets replaced by those projections); layers with none are absent.
     *
     * @throws IllegalArgumentException when a layer index is out of range or nothing is selected
     */
    public Map<Integer, Adapter> plan(Backbone backbone, AdapterConfig config) {
        return plan(backbone.sites(), backbone.numLayers(), config, backbone.family() + " backbone");
    }

    /** {@link #plan(Backbone, AdapterConfig)} of an imported encoder's sites, before any backbone is built. */
    public Map<Integer, Adapter> plan(ImportedBert bert, AdapterConfig config) {
        return plan(BertBackbone.sitesOf(bert.config(), bert.weights()), bert.config().numLayers(), config,
                bert.source());
    }

    private Map<Integer, Adapter> plan(List<Site> sites, int numLayers, AdapterConfig config, String what) {
        checkLayers(numLayers);
        Map<Integer, Map<Target, ProjectionShape>> shapes = new TreeMap<>();
        for (Site site : sites) {
            if (selects(site)) {
                shapes.computeIfAbsent(site.layer(), l -> new EnumMap<>(Target.class)).put(site.role(), site.shape());
            }
        }
        Map<Integer, Adapter> m = new TreeMap<>();
        shapes.forEach((l, s) -> m.put(l, Adapters.create(config.toBuilder().targets(s.keySet()).build(), s)));
        if (m.isEmpty()) {
            throw new IllegalArgumentException("targets: " + this + " selects no projection of " + what + " ("
                    + numLayers + " layers)");
        }
        return m;
    }

    /** Checks the layer indices against the model's depth. */
    public void checkLayers(int numLayers) {
        List<Integer> bad = new ArrayList<>();
        for (int l : layers) {
            if (l >= numLayers) {
                bad.add(l);
            }
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("layers: " + bad + " out of range: the model has " + numLayers
                    + " layers, allowed 0-" + (numLayers - 1));
        }
    }

    @Override
    public String toString() {
        return "ModuleSelector{modules=" + modules + (regex == null ? "" : ", regex=" + regex) + ", layers="
                + (layers.isEmpty() ? "all" : layers) + "}";
    }
}
