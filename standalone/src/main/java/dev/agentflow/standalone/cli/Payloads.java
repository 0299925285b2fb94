package dev.agentflow.standalone.cli;

import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.payload.PayloadStore;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code replay --resolve}: payloads stored by reference, read from the payload topic and checked. */
final class Payloads implements AutoCloseable {

    /** Replay reads whatever was written, whatever the limits of the engine that wrote it. */
    private static final Limits READ_ANY = new Limits(1L << 40, Limits.DEFAULT_INLINE_PAYLOAD_BYTES,
            Limits.DEFAULT_PAYLOAD_CHUNK_BYTES, Limits.DEFAULT_MAX_STEPS, Limits.DEFAULT_MAX_DEFINITION_BYTES);

    private final PayloadStore store;

    Payloads(String bootstrapServers, String topic) {
        this.store = new PayloadStore(bootstrapServers, topic, READ_ANY, "agentflow-replay", 0);
    }

    static boolean isReference(JsonNode node) {
        return node.isObject() && node.path("payloadId").isString() && node.has("sha256") && node.has("chunks");
    }

    /** The entry with every payload reference of its data replaced by the payload's text. */
    EventLog.Entry resolved(EventLog.Entry entry) {
        JsonNode data = entry.event().path("data");
        if (!data.isObject()) {
            return entry;
        }
        ObjectNode event = (ObjectNode) entry.event().deepCopy();
        resolveIn((ObjectNode) event.get("data"));
        return new EventLog.Entry(entry.topic(), entry.partition(), entry.offset(), entry.key(), event.toString(),
                event);
    }

    private void resolveIn(ObjectNode node) {
        for (String name : node.propertyNames()) {
            JsonNode value = node.get(name);
            if (isReference(value)) {
                node.put(name, text(Json.mapper().treeToValue(value, PayloadRef.class)));
            } else if (value.isObject()) {
                resolveIn((ObjectNode) value);
            }
        }
    }

    private String text(PayloadRef ref) {
        try {
            return store.resolve(Payload.of(ref)).get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("payload " + ref.payloadId() + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("payload " + ref.payloadId() + " took over 60 s to read", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
