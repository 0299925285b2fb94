package dev.agentflow.processor.agent;

import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.ApprovalRequest;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A user's own agent service: the invocation is POSTed as JSON with the session's earlier exchanges;
 * the answer is {@code {"output": ...}} or {@code {"approvalRequest": {...}}}, which pauses the run.
 * The {@code Idempotency-Key} header is the same on every redelivery of an attempt.
 */
final class HttpAgent implements Agent {

    private final String id;
    private final AgentDefinition definition;
    private final AgentHttp http;
    private final SessionHistory history;
    private final ConcurrencyLimit limit;

    HttpAgent(String id, AgentDefinition definition, HttpClient client, SessionHistory history) {
        this.id = id;
        this.definition = definition;
        this.http = new AgentHttp(client, id, definition);
        this.history = history;
        this.limit = new ConcurrencyLimit(definition.maxConcurrency());
    }

    @Override
    public String id() {
        return id;
    }

    /** The history is read first; the concurrency slot is held for the HTTP call only. */
    @Override
    public CompletableFuture<AgentOutcome> invoke(AgentRequest request) {
        return history.before(request, definition.historyLimit())
                .thenCompose(exchanges -> limit.run(() -> http.post("agent endpoint", definition.url(),
                        body(request, exchanges), true, Map.of("Idempotency-Key", request.idempotencyKey()))))
                .thenApply(text -> outcome(http.parse("agent endpoint", definition.url(), text)))
                .exceptionally(http::outcome);
    }

    private static ObjectNode body(AgentRequest request, List<Exchange> exchanges) {
        ObjectNode body = Json.mapper().createObjectNode()
                .put("runId", request.runId())
                .put("workflowId", request.workflowId())
                .put("stepOrder", request.stepOrder())
                .put("attempt", request.attempt())
                .put("idempotencyKey", request.idempotencyKey())
                .put("agentId", request.agentId())
                .put("action", request.action())
                .put("input", request.input())
                .put("sessionId", request.sessionId());
        body.set("config", Json.mapper().valueToTree(request.config() == null ? Map.of() : request.config()));
        ArrayNode past = body.putArray("history");
        exchanges.forEach(e -> past.add(Json.mapper().valueToTree(e)));
        return body;
    }

    private AgentOutcome outcome(JsonNode answer) {
        JsonNode output = answer.path("output");
        if (output.isString()) {
            return http.output("agent endpoint", definition.url(), output.asString());
        }
        JsonNode approval = answer.path("approvalRequest");
        if (approval.isObject()) {
            try {
                ApprovalRequest request = Json.mapper().treeToValue(approval, ApprovalRequest.class);
                if (request.proposedOutput() != null) {
                    AgentOutcome checked = http.output("agent endpoint", definition.url(), request.proposedOutput());
                    if (checked.error() != null) {
                        return checked;
                    }
                }
                return AgentOutcome.approval(request);
            } catch (JacksonException e) {
                throw http.malformed("agent endpoint", definition.url(), "approvalRequest is not "
                        + "{proposedOutput, reason, tool, arguments}");
            }
        }
        throw http.malformed("agent endpoint", definition.url(),
                "expected {\"output\": string} or {\"approvalRequest\": object}");
    }
}
