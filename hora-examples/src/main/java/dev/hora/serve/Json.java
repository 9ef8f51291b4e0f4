package dev.hora.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hora.io.HoraJson;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes JSON responses and the error shape {@code {"error": MESSAGE, "status": CODE}}. */
final class Json {
    /** Compact, in insertion order (the project's mapper indents and sorts for files). */
    static final ObjectWriter WRITER = HoraJson.MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT)
            .without(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    /** Trailing content after the JSON value is an error. */
    static final ObjectReader READER = HoraJson.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Context attribute set once a JSON body was written (error mappers leave it alone). */
    static final String SENT = "hora.json";

    private Json() {
    }

    static void send(Context ctx, int status, Object body) {
        try {
            ctx.attribute(SENT, Boolean.TRUE);
            ctx.status(status).contentType("application/json").result(WRITER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the response", e);
        }
    }

    static void error(Context ctx, int status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("status", status);
        send(ctx, status, m);
    }
}
