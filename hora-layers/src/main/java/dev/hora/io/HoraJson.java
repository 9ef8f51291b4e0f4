package dev.hora.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * The project's one configured Jackson mapper, used by every file format it reads or writes
 * (adapter folders, safetensors headers, run settings and metrics, JSONL data, tokenizer.json):
 * output indented (PEFT and our own JSON files are meant to be read), map entries sorted by key
 * (stable files), unknown properties an error when binding to a type (typos in a config are
 * reported, not ignored). Trees ({@code readTree}) are not affected by the last rule.
 */
public final class HoraJson {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * {@link #MAPPER} without type coercion, for binding files to types: a quoted number, a number
     * for a string or an enum, a boolean for a number and 8.7 for an integer are errors (naming
     * the field), not silently converted or truncated values.
     */
    public static final ObjectMapper STRICT = strict();

    private static ObjectMapper strict() {
        ObjectMapper m = MAPPER.copy().disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (LogicalType t : new LogicalType[]{LogicalType.Textual, LogicalType.Integer, LogicalType.Float,
                LogicalType.Boolean, LogicalType.Enum}) {
            for (CoercionInputShape in : new CoercionInputShape[]{CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String}) {
                m.coercionConfigFor(t).setCoercion(in, CoercionAction.Fail);
            }
        }
        return m;
    }

    /** The field path of a binding error, e.g. {@code targets[2]}, or "" when it has none. */
    public static String path(com.fasterxml.jackson.databind.JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            } else {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }

    private HoraJson() {
    }
}
