package dev.agentflow.schemas.run;

import dev.agentflow.schemas.payload.Payload;
import java.util.Map;

/**
 * One agent invocation attempt, on the agent-requests topic keyed by runId. Workers invoke the
 * agent and answer with a {@link RunCommand.RecordAgentResult}. The input may travel by reference:
 * workers resolve it before an agent sees the request.
 *
 * @param idempotencyKey {@code runId:stepOrder:attempt}, the same on every redelivery
 * @param earlier        the run's earlier steps, as many as travel with the request; null in a request
 *                       of a version before they did
 */
public record AgentRequest(String runId, String workflowId, int stepOrder, int attempt, String agentId,
                           String action, Payload input, String sessionId, Map<String, Object> config,
                           String idempotencyKey, EarlierSteps earlier) {

    /** A request without its run's earlier steps. */
    public AgentRequest(String runId, String workflowId, int stepOrder, int attempt, String agentId, String action,
                        Payload input, String sessionId, Map<String, Object> config, String idempotencyKey) {
        this(runId, workflowId, stepOrder, attempt, agentId, action, input, sessionId, config, idempotencyKey, null);
    }

    public static String idempotencyKey(String runId, int stepOrder, int attempt) {
        return runId + ":" + stepOrder + ":" + attempt;
    }

    /** The input's text: only for a request whose input is inline or was resolved. */
    public String inputText() {
        return input == null ? "" : input.resolvedText();
    }

    /** The same request with its input replaced (resolved, for the agent). */
    public AgentRequest withInput(Payload resolved) {
        return new AgentRequest(runId, workflowId, stepOrder, attempt, agentId, action, resolved, sessionId, config,
                idempotencyKey, earlier);
    }
}
