package dev.agentflow.schemas.envelope;

/**
 * Why a decider refused a command. A value, never an exception.
 *
 * @param reason what kind of refusal (maps to an HTTP status at the edge)
 * @param field  the request field at fault, when one is
 * @param detail a sentence for the user
 */
public record Rejection(Reason reason, String field, String detail) {

    public enum Reason {
        /** The addressed workflow, step or run does not exist (404). */
        NOT_FOUND,
        /** The command conflicts with the aggregate's current state (409). */
        CONFLICT,
        /** The command is well-formed but cannot be applied (422). */
        UNPROCESSABLE
    }

    public static Rejection notFound(String field, String detail) {
        return new Rejection(Reason.NOT_FOUND, field, detail);
    }

    public static Rejection conflict(String field, String detail) {
        return new Rejection(Reason.CONFLICT, field, detail);
    }

    public static Rejection unprocessable(String field, String detail) {
        return new Rejection(Reason.UNPROCESSABLE, field, detail);
    }
}
