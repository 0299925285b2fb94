package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.LoopbackServer.Reply;
import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.ApprovalRequest;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The http agent protocol against a real server on loopback. */
class HttpAgentTest {

    private final LoopbackServer server = LoopbackServer.start();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpAgent agent(SessionHistory history) {
        AgentDefinition definition = new AgentDefinition("Reviewer", null, "http", null, null, null, null,
                server.url("/agent"), Duration.ofSeconds(5), null, null, 10, 100, null);
        return new HttpAgent("reviewer", definition, client, history);
    }

    private static AgentOutcome invoke(HttpAgent agent) throws Exception {
        AgentRequest request = new AgentRequest("wr-1", "wf-1", 2, 3, "reviewer", "Review", "draft", "session-1",
                Map.of("tone", "formal"), "wr-1:2:3");
        return agent.invoke(request).get(10, TimeUnit.SECONDS);
    }

    @Test
    void theInvocationIsPostedAndTheOutputReturned() throws Exception {
        server.enqueue("/agent", Reply.json("{\"output\":\"reviewed draft\"}"));
        SessionHistory history = (request, limit) -> CompletableFuture.completedFuture(
                List.of(new Exchange("wr-1", 1, "web_agent", "Search", "AI", "findings")));

        assertThat(invoke(agent(history))).isEqualTo(AgentOutcome.output("reviewed draft"));

        LoopbackServer.Request sent = server.requests("/agent").get(0);
        assertThat(sent.header("Idempotency-Key")).isEqualTo("wr-1:2:3");
        assertThat(sent.header("Authorization")).isNull();
        JsonNode body = sent.json();
        assertThat(body.get("runId").asString()).isEqualTo("wr-1");
        assertThat(body.get("stepOrder").asInt()).isEqualTo(2);
        assertThat(body.get("attempt").asInt()).isEqualTo(3);
        assertThat(body.get("idempotencyKey").asString()).isEqualTo("wr-1:2:3");
        assertThat(body.get("agentId").asString()).isEqualTo("reviewer");
        assertThat(body.get("action").asString()).isEqualTo("Review");
        assertThat(body.get("input").asString()).isEqualTo("draft");
        assertThat(body.get("sessionId").asString()).isEqualTo("session-1");
        assertThat(body.get("config").get("tone").asString()).isEqualTo("formal");
        assertThat(body.get("history").toString()).isEqualTo("[{\"runId\":\"wr-1\",\"stepOrder\":1,"
                + "\"agentId\":\"web_agent\",\"action\":\"Search\",\"input\":\"AI\",\"output\":\"findings\"}]");
    }

    @Test
    void anApprovalRequestPausesTheRun() throws Exception {
        server.enqueue("/agent", Reply.json("{\"approvalRequest\":{\"proposedOutput\":\"publish it\","
                + "\"reason\":\"needs a human\",\"tool\":\"publish\",\"arguments\":{\"channel\":\"blog\"}}}"));

        assertThat(invoke(agent(SessionHistory.NONE))).isEqualTo(AgentOutcome.approval(new ApprovalRequest(
                "publish it", "needs a human", "publish", Map.of("channel", "blog"))));
    }

    @Test
    void unavailableIsRetriedAndOtherAnswersAreNot() throws Exception {
        server.enqueue("/agent", Reply.status(503, "busy").withHeader("Retry-After", "1"),
                Reply.status(404, "no such thing"), Reply.json("{\"result\":\"x\"}"),
                Reply.json("{\"output\":\"" + "z".repeat(101) + "\"}"));
        HttpAgent agent = agent(SessionHistory.NONE);

        AgentOutcome.AgentError unavailable = invoke(agent).error();
        AgentOutcome.AgentError notFound = invoke(agent).error();
        AgentOutcome.AgentError unknown = invoke(agent).error();
        AgentOutcome.AgentError tooBig = invoke(agent).error();

        assertThat(unavailable.retryable()).isTrue();
        assertThat(unavailable.retryAfterMs()).isEqualTo(1000L);
        assertThat(unavailable.message()).contains("agent reviewer").contains(server.url("/agent"))
                .contains("HTTP 503");
        assertThat(notFound.retryable()).isFalse();
        assertThat(notFound.message()).contains("HTTP 404").contains("no such thing");
        assertThat(unknown.retryable()).isFalse();
        assertThat(unknown.message()).contains("malformed response");
        assertThat(tooBig.retryable()).isFalse();
        assertThat(tooBig.message()).contains("over the limit of 100");
    }
}
