package dev.hora.data;

import dev.hora.io.HoraJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads JSON Lines: one object per line with a label field (string or integer) and a text field
 * (string), named as in {@link ColumnNames}; the names are taken from the first object. Blank lines
 * are ignored.
 */
final class JsonlLoader {
    /** One value per line: a second object or trailing text is an error, as is a key given twice. */
    private static final ObjectMapper JSON = HoraJson.MAPPER.copy()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private JsonlLoader() {
    }

    static List<RawRow> rows(String content, RowErrors errors) {
        List<RawRow> out = new ArrayList<>();
        String[] lines = content.split("\n", -1);
        String labelKey = null;
        String textKey = null;
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (i == 0 && l.startsWith("\uFEFF")) {
                l = l.substring(1);
            }
            if (l.isEmpty()) {
                continue;
            }
            long line = i + 1;
            JsonNode node;
            try {
                node = JSON.readTree(l);
            } catch (JsonProcessingException e) {
                errors.add(line, "invalid JSON: " + e.getOriginalMessage());
                continue;
            }
            if (node == null || !node.isObject()) {
                errors.add(line, "expected a JSON object, found " + (node == null ? "nothing" : node.getNodeType()));
                continue;
            }
            if (labelKey == null) {
                List<String> keys = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    keys.add(it.next());
                }
                int li = ColumnNames.find(keys, ColumnNames.LABEL);
                int ti = ColumnNames.find(keys, ColumnNames.TEXT);
                if (li < 0 || ti < 0) {
                    errors.add(line, "first object has fields " + keys + "; expected a label field "
                            + ColumnNames.LABEL + " and a text field " + ColumnNames.TEXT);
                    return out;
                }
                labelKey = keys.get(li);
                textKey = keys.get(ti);
            }
            JsonNode label = node.get(labelKey);
            JsonNode text = node.get(textKey);
            if (label == null || !(label.isTextual() || label.isIntegralNumber())) {
                errors.add(line, "field '" + labelKey + "' must be a string or an integer, found "
                        + (label == null ? "nothing" : label.toString()));
            } else if (text == null || !text.isTextual()) {
                errors.add(line, "field '" + textKey + "' must be a string, found "
                        + (text == null ? "nothing" : text.toString()));
            } else if (label.asText().isBlank()) {
                errors.add(line, "empty label");
            } else if (text.asText().isBlank()) {
                errors.add(line, "empty text");
            } else {
                out.add(new RawRow(line, label.asText().trim(), text.asText()));
            }
        }
        return out;
    }
}
