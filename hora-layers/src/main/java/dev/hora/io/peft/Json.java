package dev.hora.io.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hora.config.AdapterConfig;
import dev.hora.io.AtomicFiles;
import dev.hora.io.HoraJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** JSON helpers of the adapter folder: read with file-naming errors, write sorted and atomically. */
final class Json {
    static final ObjectMapper MAPPER = HoraJson.MAPPER;

    private Json() {
    }

    static ObjectNode read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new AdapterFolderException(file, "file not found", e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new AdapterFolderException(file, "not valid UTF-8 text", e);
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AdapterFolderException(file, "invalid JSON: " + e.getOriginalMessage(), e);
        }
        if (!(n instanceof ObjectNode o)) {
            throw new AdapterFolderException(file, "invalid JSON: expected an object at the top level");
        }
        return o;
    }

    static void write(Path file, ObjectNode root) throws IOException {
        AtomicFiles.writeBytes(file, (MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of {@code o} with its top-level keys in alphabetical order (as PEFT writes its configs). */
    static ObjectNode sorted(ObjectNode o) {
        ObjectNode s = MAPPER.createObjectNode();
        new java.util.TreeSet<String>(o.properties().stream().map(java.util.Map.Entry::getKey).toList())
                .forEach(k -> s.set(k, o.get(k)));
        return s;
    }

    /** The config's bean properties as a JSON object. */
    static ObjectNode configTree(AdapterConfig cfg) {
        return MAPPER.valueToTree(cfg);
    }

    /** Parses config bean properties; unknown keys or bad values are errors naming the file. */
    static AdapterConfig config(Path file, JsonNode tree) throws AdapterFolderException {
        for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {   // a null would leave the default in place or an unset field
                throw new AdapterFolderException(file, "invalid adapter config: key '" + e.getKey() + "' is null");
            }
        }
        try {
            return HoraJson.STRICT.treeToValue(tree, AdapterConfig.class).validate();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m ? HoraJson.path(m) : "";
            throw new AdapterFolderException(file, "invalid adapter config: " + (field.isEmpty() ? "" : "key '" + field
                    + "': ") + msg, e);
        }
    }

    /** A layer index or count written as digits (in a tensor name or metadata), as an int with a named error. */
    static int index(Path file, String what, String digits) throws AdapterFolderException {
        try {
            int v = Integer.parseInt(digits);
            if (v >= 0 && v < 1_000_000) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AdapterFolderException(file, what + " '" + digits + "' is not an integer in [0, 1000000)");
    }

    /** The integer elements of an array (or one integer), each checked. */
    static java.util.List<Integer> ints(Path file, String key, JsonNode v) throws AdapterFolderException {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (JsonNode n : v.isArray() ? v : java.util.List.of(v)) {
            if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
                throw new AdapterFolderException(file, "key '" + key + "' holds " + n + ": expected non-negative integers");
            }
            out.add(n.asInt());
        }
        return out;
    }

    /**
     * True when {@code key} is present and not null; then it must be of {@code type} (as {@link #require}),
     * so a quoted number or a misspelt boolean is an error naming the file and key, not a default.
     */
    static boolean optional(Path file, JsonNode root, String key, String type) throws AdapterFolderException {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return false;
        }
        require(file, root, key, type);
        return true;
    }

    static String require(Path file, JsonNode root, String key, String type) throws AdapterFolderException {
        JsonNode v = root.get(key);
        boolean ok = v != null && switch (type) {
            case "integer" -> v.canConvertToInt() && v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "string" -> v.isTextual();
            case "array" -> v.isArray();
            case "object" -> v.isObject();
            default -> false;
        };
        if (!ok) {
            throw new AdapterFolderException(file, (v == null ? "missing key '" + key + "'"
                    : "key '" + key + "' is " + v) + ": expected " + type);
        }
        return key;
    }
}
