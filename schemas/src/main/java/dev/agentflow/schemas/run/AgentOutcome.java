package dev.agentflow.schemas.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.agentflow.schemas.payload.Payload;

/**
 * What one agent invocation produced: exactly one of an output, an approval request, or an error.
 *
 * @param output   the step's output (may travel by reference)
 * @param approval a request for human approval (pauses the run)
 * @param error    why the invocation failed
 */
public record AgentOutcome(Payload output, ApprovalRequest approval, AgentError error) {

    public static AgentOutcome output(String output) {
        return new AgentOutcome(Payload.inline(output), null, null);
    }

    public static AgentOutcome output(Payload output) {
        return new AgentOutcome(output, null, null);
    }

    public static AgentOutcome approval(ApprovalRequest approval) {
        return new AgentOutcome(null, approval, null);
    }

    public static AgentOutcome error(String message, boolean retryable) {
        return new AgentOutcome(null, null, new AgentError(message, retryable));
    }

    /**
     * @param message      what happened, naming the agent (and endpoint) but never a secret
     * @param retryable    whether another attempt may succeed
     * @param retryAfterMs how long the endpoint asked to wait before another attempt ({@code Retry-After});
     *                     absent when it did not say, and then left out of the JSON
     */
    public record AgentError(String message, boolean retryable,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Long retryAfterMs) {

        public AgentError(String message, boolean retryable) {
            this(message, retryable, null);
        }
    }
}
