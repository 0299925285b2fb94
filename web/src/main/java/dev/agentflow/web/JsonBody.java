package dev.agentflow.web;

import dev.agentflow.schemas.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request body read strictly: JSON types are checked, not coerced, and every field-level
 * problem is collected before the request is refused with one 400 naming each field.
 */
public final class JsonBody {

    private final ObjectNode node;
    private final List<FieldError> errors = new ArrayList<>();

    private JsonBody(ObjectNode node) {
        this.node = node;
    }

    /** Parses a JSON object; a missing body is {@code {}} when {@code optional}. */
    public static JsonBody parse(byte[] body, boolean optional) {
        if (body == null || blank(body)) {
            if (optional) {
                return new JsonBody(Json.mapper().createObjectNode());
            }
            throw ApiException.badRequest("body", "a JSON object is required");
        }
        JsonNode parsed;
        try {
            parsed = Json.mapper().readTree(body);
        } catch (JacksonException e) {
            throw ApiException.badRequest("body", "malformed JSON: " + e.getOriginalMessage());
        }
        if (!(parsed instanceof ObjectNode object)) {
            throw ApiException.badRequest("body", "must be a JSON object");
        }
        return new JsonBody(object);
    }

    private static boolean blank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    public boolean has(String field) {
        return node.has(field);
    }

    /** A required, non-blank string of at most {@code maxLength} characters. */
    public String requiredString(String field, int maxLength) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return reject(field, "is required");
        }
        String s = string(field, value, maxLength);
        if (s != null && s.isBlank()) {
            return reject(field, "must not be blank");
        }
        return s;
    }

    /** A required string that may be empty, of at most {@code maxLength} characters. */
    public String requiredText(String field, int maxLength) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return reject(field, "is required");
        }
        return string(field, value, maxLength);
    }

    /** An optional string (null when absent or null). */
    public String optionalString(String field, int maxLength) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : string(field, value, maxLength);
    }

    /** An optional whole number, at least {@code min}. */
    public Integer optionalInt(String field, int min) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            return reject(field, "must be a whole number");
        }
        if (value.intValue() < min) {
            return reject(field, "must be " + min + " or more");
        }
        return value.intValue();
    }

    /** A required whole number, at least {@code min}. */
    public Integer requiredInt(String field, int min) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return reject(field, "is required");
        }
        return optionalInt(field, min);
    }

    /** An optional JSON object, as a map. */
    public Map<String, Object> optionalObject(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Map.of();
        }
        if (!value.isObject()) {
            return reject(field, "must be a JSON object");
        }
        return Json.mapper().convertValue(value, new TypeReference<Map<String, Object>>() { });
    }

    /** Refuses the request with every problem found, if any. */
    public void validate() {
        if (!errors.isEmpty()) {
            throw ApiException.badRequest(errors);
        }
    }

    private String string(String field, JsonNode value, int maxLength) {
        if (!value.isString()) {
            return reject(field, "must be a string");
        }
        String s = value.stringValue();
        if (s.length() > maxLength) {
            return reject(field, "must be at most " + maxLength + " characters (was " + s.length() + ")");
        }
        return s;
    }

    private <T> T reject(String field, String message) {
        errors.add(new FieldError(field, message));
        return null;
    }
}
