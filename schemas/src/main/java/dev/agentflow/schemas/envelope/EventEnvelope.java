package dev.agentflow.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * The one JSON envelope of every event (DESIGN §3).
 *
 * @param eventId       unique id of this event
 * @param type          stable name of the event type (the payload's type)
 * @param schemaVersion version of the payload's schema, 1 until a type changes incompatibly
 * @param aggregateId   the workflow id or run id the event belongs to (also the record key)
 * @param version       per-aggregate sequence number: 1, 2, 3 ...
 * @param occurredAt    when the decider accepted the command
 * @param commandId     the command that caused it (the API's jobId)
 * @param actor         on whose behalf it happened: the authenticated principal of the command that
 *                      caused it, or of the latest command of the run that led to it ({@code key:<name>},
 *                      {@code jwt:<subject>}, {@code anonymous}); absent in events written before it existed
 * @param data          the event payload
 */
public record EventEnvelope<E>(
        String eventId,
        String type,
        int schemaVersion,
        String aggregateId,
        long version,
        Instant occurredAt,
        String commandId,
        @JsonInclude(JsonInclude.Include.NON_NULL) String actor,
        E data) implements Envelope<E, EventEnvelope<E>> {

    /** An event on nobody's behalf. */
    public EventEnvelope(String eventId, String type, int schemaVersion, String aggregateId, long version,
                         Instant occurredAt, String commandId, E data) {
        this(eventId, type, schemaVersion, aggregateId, version, occurredAt, commandId, null, data);
    }

    @Override
    public EventEnvelope<E> withData(E newData) {
        return new EventEnvelope<>(eventId, type, schemaVersion, aggregateId, version, occurredAt, commandId, actor,
                newData);
    }
}
