package dev.agentflow.schemas.payload;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.agentflow.schemas.json.Json;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * A text that steps pass along: a run's input, a step's output, an approved or proposed output.
 * Small ones travel inline, as a JSON string; larger ones are stored on the payload topic and
 * travel as a {@link PayloadRef} (a JSON object). Readers tell the two apart by the JSON type.
 *
 * @param text the text, when inline (or resolved in memory); null for a reference
 * @param ref  where the text is stored, when it is not inline
 */
public record Payload(String text, PayloadRef ref) {

    public Payload {
        if ((text == null) == (ref == null)) {
            throw new IllegalArgumentException("A payload is either inline text or a reference");
        }
    }

    public static Payload inline(String text) {
        return new Payload(Objects.requireNonNull(text, "text"), null);
    }

    public static Payload of(PayloadRef ref) {
        return new Payload(null, Objects.requireNonNull(ref, "ref"));
    }

    /** An inline payload for {@code text}, null for null. */
    public static Payload ofNullable(String text) {
        return text == null ? null : inline(text);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Payload fromJson(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isString()) {
            return inline(node.stringValue());
        }
        if (node.isObject()) {
            PayloadRef ref = Json.mapper().treeToValue(node, PayloadRef.class);
            if (ref.payloadId() == null || ref.sha256() == null || ref.chunks() < 1) {
                throw new IllegalArgumentException("A payload reference needs payloadId, sha256 and chunks");
            }
            return of(ref);
        }
        throw new IllegalArgumentException("A payload is a string or a reference object, not " + node.getNodeType());
    }

    /** Whether a JSON value is a payload reference (where a payload could be a string). */
    public static boolean isReference(JsonNode node) {
        return node != null && node.isObject() && node.path("payloadId").isString() && node.has("sha256")
                && node.has("chunks");
    }

    @JsonValue
    Object json() {
        return ref != null ? ref : text;
    }

    public boolean isRef() {
        return ref != null;
    }

    /** The text; only for a payload that is inline or was resolved (agents are handed resolved payloads). */
    public String resolvedText() {
        if (text == null) {
            throw new IllegalStateException("Payload " + ref.payloadId() + " was not resolved");
        }
        return text;
    }

    /** Its size in UTF-8 bytes. */
    public long bytes() {
        return ref != null ? ref.bytes() : Utf8.length(text);
    }

    /** The whole text when inline, else the reference's preview with a note of what is left out. */
    public String textOrPreview() {
        if (text != null) {
            return text;
        }
        return ref.preview() + "… [" + ref.bytes() + " bytes in all, stored as payload " + ref.payloadId() + "]";
    }

    /** The text of {@code payload}, or null. */
    public static String textOf(Payload payload) {
        return payload == null ? null : payload.resolvedText();
    }

    @Override
    public String toString() {
        return ref != null ? "Payload[" + ref.payloadId() + ", " + ref.bytes() + " bytes]"
                : "Payload[" + Utf8.head(text, 40) + (text.length() > 40 ? "…" : "") + "]";
    }
}
