package dev.hora.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

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

    private HoraJson() {
    }
}
