package dev.hora.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Adapter settings as {@code KEY=VALUE} text, as {@code hora compare --adapters hora:KEY=VALUE} and
 * {@code hora finetune --adapter-option KEY=VALUE} take them; each key sets one {@link AdapterConfig}
 * property (see its javadoc for the formulas).
 * <pre>
 *   rank=R  alpha=A  rs-lora=true|false                       (every kind)
 *   seed-width=E (e)  hidden-width=K (k)  activation=tanh|relu|gelu|sigmoid|identity
 *   learnable-seeds=true|false  generator-lr=M  init=lora-scaled|xavier  init-scale-a=S
 *   shared-pair=true|false  per-head-output=true|false         (HoRA)
 * </pre>
 */
public final class AdapterOptions {
    private static final Map<String, BiConsumer<AdapterConfig.Builder, String>> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("rank", (b, v) -> b.rank(integer("rank", v)));
        KEYS.put("alpha", (b, v) -> b.alpha(number("alpha", v)));
        KEYS.put("rs-lora", (b, v) -> b.rsLora(bool("rs-lora", v)));
        KEYS.put("seed-width", (b, v) -> b.seedWidth(integer("seed-width", v)));
        KEYS.put("e", (b, v) -> b.seedWidth(integer("e", v)));
        KEYS.put("hidden-width", (b, v) -> b.hiddenWidth(integer("hidden-width", v)));
        KEYS.put("k", (b, v) -> b.hiddenWidth(integer("k", v)));
        KEYS.put("activation", (b, v) -> b.activation(choice("activation", v, Activation.values())));
        KEYS.put("learnable-seeds", (b, v) -> b.learnableSeeds(bool("learnable-seeds", v)));
        KEYS.put("generator-lr", (b, v) -> b.generatorLrMultiplier(number("generator-lr", v)));
        KEYS.put("init", (b, v) -> b.horaInit(choice("init", v, HoraInit.values())));
        KEYS.put("init-scale-a", (b, v) -> b.initScaleA(number("init-scale-a", v)));
        KEYS.put("shared-pair", (b, v) -> b.sharedPair(bool("shared-pair", v)));
        KEYS.put("per-head-output", (b, v) -> b.perHeadOutput(bool("per-head-output", v)));
        KEYS.put("dropout", (b, v) -> b.dropout(number("dropout", v)));
    }

    private AdapterOptions() {
    }

    /** The accepted keys. */
    public static List<String> keys() {
        return List.copyOf(KEYS.keySet());
    }

    /** Checks that every key is known and every value parses (without a kind or shapes). */
    public static void check(Map<String, String> options) {
        apply(AdapterConfig.builder(), options).build();
    }

    /**
     * Sets each option on {@code b}.
     *
     * @throws IllegalArgumentException naming an unknown key (with the known ones) or a bad value
     */
    public static AdapterConfig.Builder apply(AdapterConfig.Builder b, Map<String, String> options) {
        options.forEach((k, v) -> {
            BiConsumer<AdapterConfig.Builder, String> setter = KEYS.get(k.trim().toLowerCase(Locale.ROOT));
            if (setter == null) {
                throw new IllegalArgumentException("unknown adapter option '" + k + "'; known: " + keys());
            }
            setter.accept(b, v.trim());
        });
        return b;
    }

    /** Parses {@code KEY=VALUE} items (e.g. from {@code hora:k=32:activation=relu}). */
    public static Map<String, String> parse(List<String> items) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0 || eq == item.length() - 1) {
                throw new IllegalArgumentException("adapter option '" + item + "' is not KEY=VALUE; known keys: " + keys());
            }
            String key = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!KEYS.containsKey(key)) {
                throw new IllegalArgumentException("unknown adapter option '" + key + "' in '" + item + "'; known: "
                        + keys());
            }
            if (m.put(key, item.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("adapter option '" + key + "' given twice");
            }
        }
        return m;
    }

    private static int integer(String key, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("adapter option " + key + "=" + v + ": expected an integer");
        }
    }

    private static double number(String key, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("adapter option " + key + "=" + v + ": expected a number");
        }
    }

    private static boolean bool(String key, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new IllegalArgumentException("adapter option " + key + "=" + v + ": expected true or false");
        };
    }

    private static <E extends Enum<E>> E choice(String key, String v, E[] values) {
        String n = v.toUpperCase(Locale.ROOT).replace('-', '_');
        for (E e : values) {
            if (e.name().equals(n)) {
                return e;
            }
        }
        throw new IllegalArgumentException("adapter option " + key + "=" + v + ": allowed "
                + java.util.Arrays.stream(values).map(e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
    }
}
