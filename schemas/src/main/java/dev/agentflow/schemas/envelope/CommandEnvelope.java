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
 * @param idempotency the client's {@code Idempotency-Key}, on a claim only: a claim is keyed by
 *                    {@link Idempotency#recordKey()}, and what it claims for is written again without it,
 *                    keyed by its aggregate, once the key is claimed
 */
public record CommandEnvelope<C>(String commandId, String type, String aggregateId, Instant issuedAt,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) String actor, C data,
                                 @JsonInclude(JsonInclude.Include.NON_NULL) Idempotency idempotency)
        implements Envelope<C, CommandEnvelope<C>> {

    /** A command on nobody's behalf (the engine's own). */
    public CommandEnvelope(String commandId, String type, String aggregateId, Instant issuedAt, C data) {
        this(commandId, type, aggregateId, issuedAt, null, data, null);
    }

    /** A command on {@code actor}'s behalf. */
    public CommandEnvelope(String commandId, String type, String aggregateId, Instant issuedAt, String actor,
                           C data) {
        this(commandId, type, aggregateId, issuedAt, actor, data, null);
    }

    @Override
    public CommandEnvelope<C> withData(C newData) {
        return new CommandEnvelope<>(commandId, type, aggregateId, issuedAt, actor, newData, idempotency);
    }

    /** The same command, without its claim. */
    public CommandEnvelope<C> withoutIdempotency() {
        return new CommandEnvelope<>(commandId, type, aggregateId, issuedAt, actor, data, null);
    }

    /** The key of its record: the aggregate's id, or the claim's key for a claim. */
    public String recordKey() {
        return idempotency == null ? aggregateId : idempotency.recordKey();
    }
}
