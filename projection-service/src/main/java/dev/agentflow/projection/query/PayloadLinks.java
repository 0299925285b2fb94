package dev.agentflow.projection.query;

import dev.agentflow.schemas.payload.Payload;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The URL that serves a stored payload whole, and events as the API shows them: each payload
 * reference in an event gets its {@code href}, so that a client of the event history or of a live
 * stream can read every payload without knowing the payload topic.
 */
public final class PayloadLinks {

    public static final String PATH = "/api/v1/payloads/";

    private PayloadLinks() {
    }

    public static String href(String payloadId) {
        return PATH + payloadId;
    }

    /** The envelope with an {@code href} in each payload reference; the same node when it has none. */
    public static JsonNode linked(JsonNode envelope) {
        JsonNode data = envelope.path("data");
        if (!hasReference(data)) {
            return envelope;
        }
        ObjectNode copy = (ObjectNode) envelope.deepCopy();
        link(copy.get("data"));
        return copy;
    }

    private static boolean hasReference(JsonNode node) {
        if (Payload.isReference(node)) {
            return true;
        }
        if (node.isObject() || node.isArray()) {
            for (JsonNode child : node) {
                if (hasReference(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void link(JsonNode node) {
        if (Payload.isReference(node)) {
            ((ObjectNode) node).put("href", href(node.path("payloadId").asString()));
            return;
        }
        if (node.isObject() || node.isArray()) {
            for (JsonNode child : node) {
                link(child);
            }
        }
    }
}
