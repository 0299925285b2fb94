package dev.agentflow.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A command on a command topic.
 *
 * @param commandId   the id the API returns as {@code jobId}; replies and caused events carry it
 * @param type        stable name of the command type
 * @param aggregateId the workflow id or run id the command addresses (also the record key)
 * @param issuedAt    when it was issued
 * @param actor       who asked for it: the authenticated principal (from the credential, never from
 *                    anything the caller says), or absent for the engine's own commands
 * @param data        the command payload
 */
public record CommandEnvelope<C>(String commandId, String type, String aggregateId, Instant issuedAt,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) String actor, C data)
        implements Envelope<C, CommandEnvelope<C>> {

    /** A command on nobody's behalf (the engine's own). */
    public CommandEnvelope(String commandId, String type, String aggregateId, Instant issuedAt, C data) {
        this(commandId, type, aggregateId, issuedAt, null, data);
    }

    @Override
    public CommandEnvelope<C> withData(C newData) {
        return new CommandEnvelope<>(commandId, type, aggregateId, issuedAt, actor, newData);
    }
}
