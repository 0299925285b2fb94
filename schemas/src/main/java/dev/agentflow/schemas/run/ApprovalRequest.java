package dev.agentflow.schemas.run;

import java.util.Map;

/**
 * What an agent asks a human to approve before its step can complete.
 *
 * @param proposedOutput what the agent proposes as the step's output
 * @param reason         why it asks (for example the step's action, or the model's reasoning)
 * @param tool           the tool the agent wants to call, when approval gates a tool call
 * @param arguments      that tool call's arguments
 */
public record ApprovalRequest(String proposedOutput, String reason, String tool, Map<String, Object> arguments) {
}
