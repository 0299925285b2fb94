package dev.agentflow.schemas.envelope;

import java.time.Instant;

/**
 * A command on a command topic.
 *
 * @param commandId   the id the API returns as {@code jobId}; replies and caused events carry it
 * @param type        stable name of the command type
 * @param aggregateId the workflow id or run id the command addresses (also the record key)
 * @param issuedAt    when it was issued
 * @param data        the command payload
 */
public record CommandEnvelope<C>(String commandId, String type, String aggregateId, Instant issuedAt, C data)
        implements Envelope<C, CommandEnvelope<C>> {

    @Override
    public CommandEnvelope<C> withData(C newData) {
        return new CommandEnvelope<>(commandId, type, aggregateId, issuedAt, newData);
    }
}
