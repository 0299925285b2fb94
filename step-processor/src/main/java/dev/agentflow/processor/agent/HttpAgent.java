package dev.agentflow.processor.agent;

import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.payload.Payload;
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
final class HttpAgent extends ConfiguredAgent {

    HttpAgent(String id, AgentDefinition definition, HttpClient client, SessionHistory history, RateLimit rate,
              Deltas deltas) {
        super(id, definition, client, history, rate, deltas);
    }

    @Override
    CompletableFuture<AgentOutcome> converse(AgentRequest request, List<Exchange> exchanges, Deltas.Stream stream) {
        if (!deltas.enabled()) {
            return http.post("agent endpoint", definition.url(), body(request, exchanges), true,
                            Map.of("Idempotency-Key", request.idempotencyKey()))
                    .thenApply(text -> outcome(http.parse("agent endpoint", definition.url(), text)));
        }
        JsonLines answer = new JsonLines(stream);
        return http.postLines("agent endpoint", definition.url(), body(request, exchanges), true,
                        Map.of("Idempotency-Key", request.idempotencyKey()), answer::line,
                        "application/x-ndjson, application/json")
                .thenApply(done -> outcome(answer.answer()));
    }

    /**
     * An answer that may stream (JSON lines, {@code application/x-ndjson}): lines {@code {"delta": "…"}}
     * are pieces of the output as it comes, then one line with the answer as a whole answer has it
     * ({@code output} or {@code approvalRequest}). An answer that is not JSON lines is read whole.
     */
    private final class JsonLines {
        private final Deltas.Stream stream;
        private final StringBuilder whole = new StringBuilder();
        private JsonNode answer;
        private boolean streamed;

        JsonLines(Deltas.Stream stream) {
            this.stream = stream;
        }

        void line(String line) {
            JsonNode node = null;
            String trimmed = line.strip();
            if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
                try {
                    node = Json.mapper().readTree(trimmed);
                } catch (JacksonException e) {
                    node = null; // a line of an answer written over several lines
                }
            }
            if (node != null && node.isObject() && node.size() == 1 && node.path("delta").isString()) {
                streamed = true;
                stream.text(node.path("delta").asString());
            } else if (node != null && node.isObject() && (node.has("output") || node.has("approvalRequest"))
                    && whole.isEmpty()) {
                answer = node;
            } else {
                http.keepWhole(whole, line, "agent endpoint", definition.url());
            }
        }

        JsonNode answer() {
            if (answer == null && streamed && whole.toString().isBlank()) {
                // cut off after some pieces (the connection closed early): another attempt may succeed
                throw http.failure("agent endpoint", definition.url(),
                        "the answer ended after its pieces, without the answer", true);
            }
            return answer != null ? answer : http.parse("agent endpoint", definition.url(), whole.toString());
        }
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
                .put("input", request.inputText())
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
                JsonNode proposed = approval.path("proposedOutput");
                if (!proposed.isMissingNode() && !proposed.isNull() && !proposed.isString()) {
                    throw http.malformed("agent endpoint", definition.url(), "approvalRequest.proposedOutput is not"
                            + " a string");
                }
                String proposedOutput = proposed.isString() ? proposed.asString() : null;
                if (proposedOutput != null) {
                    AgentOutcome checked = http.output("agent endpoint", definition.url(), proposedOutput);
                    if (checked.error() != null) {
                        return checked;
                    }
                }
                ObjectNode rest = ((ObjectNode) approval).deepCopy();
                rest.remove("proposedOutput");
                ApprovalRequest request = Json.mapper().treeToValue(rest, ApprovalRequest.class);
                return AgentOutcome.approval(request.withProposedOutput(Payload.ofNullable(proposedOutput)));
            } catch (JacksonException e) {
                throw http.malformed("agent endpoint", definition.url(), "approvalRequest is not "
                        + "{proposedOutput, reason, tool, arguments}");
            }
        }
        throw http.malformed("agent endpoint", definition.url(),
                "expected {\"output\": string} or {\"approvalRequest\": object}");
    }
}
