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
        try {
            return MAPPER.treeToValue(tree, AdapterConfig.class).validate();
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new AdapterFolderException(file, "invalid adapter config: " + msg, e);
        }
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
