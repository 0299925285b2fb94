package dev.agentflow.projection.topology;

import tools.jackson.databind.JsonNode;

/**
 * One event as the history stores keep it: the envelope exactly as it is on its topic (payload as a
 * JSON tree, so the API shows what consumers see), where it is on the topic, and the workflow it
 * belongs to. A run event's own payload rarely names its workflow; the projection records it here
 * so that a workflow's runs can be followed together.
 *
 * @param workflowId the workflow id (of the run, for a run event)
 * @param partition  the partition of the event topic the event is on
 * @param offset     its offset there: stable for ever, since events are never deleted
 * @param envelope   the stored envelope
 */
public record StoredEvent(String workflowId, int partition, long offset, JsonNode envelope) {

    public String aggregateId() {
        return envelope.path("aggregateId").asString();
    }

    public long version() {
        return envelope.path("version").asLong();
    }

    public String type() {
        return envelope.path("type").asString();
    }
}
