package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.StoredEvent;
import dev.agentflow.schemas.json.Json;
import tools.jackson.databind.node.ObjectNode;

/** Stored run events for the query tests. */
final class Events {

    private Events() {
    }

    static StoredEvent event(int partition, long offset, long version, String type, String occurredAt) {
        ObjectNode envelope = Json.mapper().createObjectNode()
                .put("type", type)
                .put("aggregateId", "wr-1")
                .put("version", version)
                .put("occurredAt", occurredAt);
        return new StoredEvent("wf-1", partition, offset, envelope);
    }

    static StoredEvent event(long version) {
        return event(0, version, version, "StepStarted", "2026-01-01T00:00:00Z");
    }
}
