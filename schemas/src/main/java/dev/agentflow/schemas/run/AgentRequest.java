package dev.agentflow.schemas.run;

import java.util.Map;

/**
 * One agent invocation attempt, on the agent-requests topic keyed by runId. Workers invoke the
 * agent and answer with a {@link RunCommand.RecordAgentResult}.
 *
 * @param idempotencyKey {@code runId:stepOrder:attempt}, the same on every redelivery
 */
public record AgentRequest(String runId, String workflowId, int stepOrder, int attempt, String agentId,
                           String action, String input, String sessionId, Map<String, Object> config,
                           String idempotencyKey) {

    public static String idempotencyKey(String runId, int stepOrder, int attempt) {
        return runId + ":" + stepOrder + ":" + attempt;
    }
}
