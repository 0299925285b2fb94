package dev.agentflow.schemas.envelope;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * A decider's answer to a command, keyed by {@code commandId} on the command-replies topic.
 *
 * @param commandId   the command answered
 * @param accepted    whether the command was accepted
 * @param aggregateId the aggregate whose events complete the operation (a clone's new id, a run's id)
 * @param version     that aggregate's version after the events, for read-your-writes
 * @param rejection   why the command was rejected, when it was
 * @param answer      to a command sent with an {@code Idempotency-Key}: the ids of the first answer
 *                    given for that key (see {@link Idempotency#answer()}); absent otherwise
 * @param repeated    true when this command repeated one already applied under its {@code Idempotency-Key},
 *                    so changed nothing; null (absent) otherwise
 */
public record CommandReply(String commandId, boolean accepted, String aggregateId, long version, Rejection rejection,
                           @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> answer,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Boolean repeated) {

    public CommandReply {
        answer = answer == null ? Map.of() : Map.copyOf(answer);
        repeated = Boolean.TRUE.equals(repeated) ? Boolean.TRUE : null;
    }

    /** Whether the command repeated one already applied under its key. */
    public boolean repeat() {
        return repeated != null;
    }

    public static CommandReply accepted(String commandId, String aggregateId, long version) {
        return new CommandReply(commandId, true, aggregateId, version, null, Map.of(), null);
    }

    public static CommandReply rejected(String commandId, String aggregateId, Rejection rejection) {
        return new CommandReply(commandId, false, aggregateId, 0, rejection, Map.of(), null);
    }

    /** A command applied under its key: {@code first} is the answer to the key's first use. */
    public static CommandReply claimed(String commandId, String aggregateId, Map<String, String> first,
                                       boolean repeated) {
        return new CommandReply(commandId, true, aggregateId, 0, null, first, repeated);
    }
}
