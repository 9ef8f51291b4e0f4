package dev.hora.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and checks request bodies; every problem is an {@link ApiException} that names it:
 * 400 malformed JSON, 422 a field of the wrong type or an empty list, 413 more texts or characters than
 * the limits allow.
 */
final class Requests {
    private Requests() {
    }

    /** A body's texts and the adapter it names (null: the base model). */
    record Inference(List<String> inputs, String adapter, boolean normalize) {
    }

    /** The JSON object of a body. */
    static JsonNode object(byte[] body) {
        JsonNode n;
        try {
            n = Json.READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable body");
        }
        if (n == null || n.isMissingNode()) {
            throw ApiException.badRequest("empty body: expected a JSON object");
        }
        if (!n.isObject()) {
            throw ApiException.unprocessable("expected a JSON object, got " + n.getNodeType().name().toLowerCase());
        }
        return n;
    }

    /** {@code {"inputs": ..., "adapter": ...}} of /predict and /embed ({@code input} and {@code model} for OpenAI's). */
    static Inference inference(JsonNode body, String inputsField, String adapterField, ServeOptions opt) {
        List<String> inputs = texts(body.get(inputsField), inputsField, opt);
        String adapter = optionalText(body, adapterField);
        JsonNode norm = body.get("normalize");
        if (norm != null && !norm.isNull() && !norm.isBoolean()) {
            throw ApiException.unprocessable("\"normalize\" must be true or false");
        }
        return new Inference(inputs, adapter, norm != null && norm.asBoolean(false));
    }

    /** A string field, absent or null = null; anything else than a string is a 422. */
    static String optionalText(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw ApiException.unprocessable("\"" + field + "\" must be a string, got " + n.getNodeType().name().toLowerCase());
        }
        return n.asText();
    }

    /** A required string field. */
    static String requiredText(JsonNode body, String field) {
        String s = optionalText(body, field);
        if (s == null) {
            throw ApiException.unprocessable("\"" + field + "\" is missing");
        }
        return s;
    }

    private static List<String> texts(JsonNode n, String field, ServeOptions opt) {
        if (n == null || n.isNull()) {
            throw ApiException.unprocessable("\"" + field + "\" is missing: give a string or an array of strings");
        }
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray()) {
            if (n.size() > opt.maxInputs()) {
                throw ApiException.tooLarge("\"" + field + "\" has " + n.size() + " texts; the limit is " + opt.maxInputs());
            }
            for (int i = 0; i < n.size(); i++) {
                if (!n.get(i).isTextual()) {
                    throw ApiException.unprocessable(field + "[" + i + "] must be a string, got "
                            + n.get(i).getNodeType().name().toLowerCase());
                }
                out.add(n.get(i).asText());
            }
        } else {
            throw ApiException.unprocessable("\"" + field + "\" must be a string or an array of strings, got "
                    + n.getNodeType().name().toLowerCase());
        }
        if (out.isEmpty()) {
            throw ApiException.unprocessable("\"" + field + "\" is empty: give at least one text");
        }
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i).length() > opt.maxInputChars()) {
                throw ApiException.tooLarge(field + "[" + i + "] has " + out.get(i).length()
                        + " characters; the limit is " + opt.maxInputChars());
            }
        }
        return out;
    }
}
