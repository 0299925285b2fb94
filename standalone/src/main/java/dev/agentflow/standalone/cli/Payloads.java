package dev.agentflow.standalone.cli;

import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.PayloadRef;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code replay --resolve}: payloads stored by reference, read from the payload topic and checked. */
final class Payloads implements AutoCloseable {

    private final PayloadStore store;

    Payloads(Map<String, Object> client, String topic) {
        this.store = PayloadStore.reader(client, topic, "agentflow-replay");
    }

    /**
     * The entry with every payload reference of its data replaced by the payload's text; a
     * reference that cannot be read stays as it is, and {@code unreadable} is told why.
     */
    EventLog.Entry resolved(EventLog.Entry entry, Consumer<String> unreadable) {
        JsonNode data = entry.event().path("data");
        if (!data.isObject()) {
            return entry;
        }
        ObjectNode event = (ObjectNode) entry.event().deepCopy();
        resolveIn((ObjectNode) event.get("data"), entry, unreadable);
        return new EventLog.Entry(entry.topic(), entry.partition(), entry.offset(), entry.key(), event.toString(),
                event);
    }

    private void resolveIn(ObjectNode node, EventLog.Entry entry, Consumer<String> unreadable) {
        for (String name : node.propertyNames()) {
            JsonNode value = node.get(name);
            if (Payload.isReference(value)) {
                PayloadRef ref = Json.mapper().treeToValue(value, PayloadRef.class);
                try {
                    node.put(name, store.resolve(Payload.of(ref)).get(60, TimeUnit.SECONDS));
                } catch (ExecutionException | TimeoutException e) {
                    unreadable.accept("payload " + ref.payloadId() + " of " + entry.type() + " at " + entry.topic()
                            + "-" + entry.partition() + "@" + entry.offset() + " could not be read: "
                            + PayloadStore.cause(e).getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            } else if (value.isObject()) {
                resolveIn((ObjectNode) value, entry, unreadable);
            }
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
