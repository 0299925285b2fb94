package dev.agentflow.schemas.envelope;

/**
 * A decider's answer to a command, keyed by {@code commandId} on the command-replies topic.
 *
 * @param commandId   the command answered
 * @param accepted    whether the command was accepted
 * @param aggregateId the aggregate whose events complete the operation (a clone's new id, a run's id)
 * @param version     that aggregate's version after the events, for read-your-writes
 * @param rejection   why the command was rejected, when it was
 */
public record CommandReply(String commandId, boolean accepted, String aggregateId, long version, Rejection rejection) {

    public static CommandReply accepted(String commandId, String aggregateId, long version) {
        return new CommandReply(commandId, true, aggregateId, version, null);
    }

    public static CommandReply rejected(String commandId, String aggregateId, Rejection rejection) {
        return new CommandReply(commandId, false, aggregateId, 0, rejection);
    }
}
