package dev.agentflow.schemas.run;

import dev.agentflow.schemas.payload.Payload;
import java.util.Map;

/**
 * What an agent asks a human to approve before its step can complete.
 *
 * @param proposedOutput what the agent proposes as the step's output (may travel by reference)
 * @param reason         why it asks (for example the step's action, or the model's reasoning)
 * @param tool           the tool the agent wants to call, when approval gates a tool call
 * @param arguments      that tool call's arguments
 */
public record ApprovalRequest(Payload proposedOutput, String reason, String tool, Map<String, Object> arguments) {

    /** An approval request proposing {@code proposedOutput} (null when the agent proposes nothing). */
    public static ApprovalRequest of(String proposedOutput, String reason, String tool, Map<String, Object> arguments) {
        return new ApprovalRequest(Payload.ofNullable(proposedOutput), reason, tool, arguments);
    }

    public ApprovalRequest withProposedOutput(Payload payload) {
        return new ApprovalRequest(payload, reason, tool, arguments);
    }
}
