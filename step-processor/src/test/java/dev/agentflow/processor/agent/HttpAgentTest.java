package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.LoopbackServer.Reply;
import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunDelta;
import dev.agentflow.schemas.run.ApprovalRequest;
import java.net.ServerSocket;
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
    private static final String KEY = "agent-key-never-shown";
    private final HttpClient client = ConfiguredAgents.httpClient();

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpAgent agent(SessionHistory history) {
        return agent(server.url("/agent"), null, Duration.ofSeconds(5), 4, history);
    }

    private HttpAgent agent(String url, String apiKey, Duration timeout, int maxConcurrency, SessionHistory history) {
        AgentDefinition definition = new AgentDefinition("Reviewer", null, "http", null, null, null, apiKey, url,
                timeout, null, maxConcurrency, 10, 100, null, null);
        // deltas enabled, as in the engine: every answer is read line by line, streamed or not
        return new HttpAgent("reviewer", definition, client, history, null, streamed);
    }

    private final List<RunDelta> deltas = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Deltas streamed = (request, delta) -> {
        deltas.add(delta);
        return CompletableFuture.completedFuture(null);
    };

    @Test
    void anAnswerStreamedAsJsonLinesIsDeltasThenTheOutput() throws Exception {
        server.enqueue("/agent", Reply.streamed("application/x-ndjson", List.of("{\"delta\":\"rev\"}\n",
                "{\"delta\":\"iewed\"}\n", "{\"output\":\"reviewed\"}\n"), i -> { }));

        AgentOutcome outcome = invoke(agent(SessionHistory.NONE));

        assertThat(outcome.output()).isEqualTo(Payload.inline("reviewed"));
        assertThat(deltas).extracting(RunDelta::text).containsExactly("rev", "iewed", null);
        assertThat(deltas.get(2).end()).isTrue();
        assertThat(server.requests("/agent").get(0).header("Accept")).contains("application/x-ndjson");
    }

    @Test
    void piecesWithoutTheAnswerAfterThemFailTheAttemptRetryably() throws Exception {
        server.enqueue("/agent", Reply.streamed("application/x-ndjson", List.of("{\"delta\":\"rev\"}\n"), i -> { }));

        AgentOutcome.AgentError error = invoke(agent(SessionHistory.NONE)).error();

        assertThat(error.retryable()).isTrue();
        assertThat(error.message()).contains("without the answer");
    }

    @Test
    void anAnswerOverSeveralLinesIsReadWhole() throws Exception {
        server.enqueue("/agent", Reply.json("{\n  \"output\": \"pretty\"\n}\n"));

        assertThat(invoke(agent(SessionHistory.NONE)).output()).isEqualTo(Payload.inline("pretty"));
        assertThat(deltas).isEmpty();
    }

    private static AgentRequest request() {
        return new AgentRequest("wr-1", "wf-1", 2, 3, "reviewer", "Review", Payload.inline("draft"), "session-1",
                Map.of("tone", "formal"), "wr-1:2:3");
    }

    private static AgentOutcome invoke(HttpAgent agent) throws Exception {
        return agent.invoke(request()).get(10, TimeUnit.SECONDS);
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
                Payload.inline("publish it"), "needs a human", "publish", Map.of("channel", "blog"))));
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

    @Test
    void aBodyThatStallsAfterTheHeadersTimesOutAndFreesTheSlot() throws Exception {
        server.enqueue("/agent", Reply.stalled(), Reply.json("{\"output\":\"next\"}"));
        HttpAgent agent = agent(server.url("/agent"), null, Duration.ofMillis(300), 1, SessionHistory.NONE);

        long started = System.nanoTime();
        AgentOutcome.AgentError stalled = invoke(agent).error();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(stalled.retryable()).isTrue();
        assertThat(stalled.message()).contains("agent reviewer").contains(server.url("/agent"))
                .contains("no answer within 300 ms");
        assertThat(invoke(agent)).as("the only slot was released").isEqualTo(AgentOutcome.output("next"));
    }

    @Test
    void aCallWaitingForItsHistoryHoldsNoSlot() throws Exception {
        CompletableFuture<List<Exchange>> lagging = new CompletableFuture<>();
        SessionHistory history = (request, limit) -> request.runId().equals("wr-1") ? lagging
                : CompletableFuture.completedFuture(List.of());
        server.handle("/agent", r -> Reply.json("{\"output\":\"done " + r.json().get("runId").asString() + "\"}"));
        HttpAgent agent = agent(server.url("/agent"), null, Duration.ofSeconds(5), 1, history);

        CompletableFuture<AgentOutcome> waiting = agent.invoke(request());
        AgentOutcome other = agent.invoke(new AgentRequest("wr-2", "wf-1", 1, 1, "reviewer", "Review", Payload.inline("x"),
                "session-2", Map.of(), "wr-2:1:1")).get(10, TimeUnit.SECONDS);

        assertThat(other).isEqualTo(AgentOutcome.output("done wr-2"));
        assertThat(waiting).isNotDone();
        lagging.complete(List.of());
        assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(AgentOutcome.output("done wr-1"));
    }

    @Test
    void aRedirectIsNotFollowedAndNotRetried() throws Exception {
        server.enqueue("/agent", Reply.status(307, "").withHeader("Location", "/elsewhere/hook/t0ken?k=v"));
        HttpAgent agent = agent(server.url("/agent"), KEY, Duration.ofSeconds(5), 4, SessionHistory.NONE);

        AgentOutcome.AgentError error = invoke(agent).error();

        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).isEqualTo("agent reviewer: agent endpoint: POST " + server.url("/agent")
                + ": HTTP 307: redirects are not followed (Location: " + server.url("/elsewhere/…") + ")");
        assertThat(server.requests("/elsewhere/hook/t0ken")).isEmpty();
    }

    @Test
    void refusedCredentialsAreNotRetriedAndTheKeyIsNeverShown() throws Exception {
        server.enqueue("/agent", Reply.status(401, "{\"error\":\"bad key " + KEY + "\"}"));
        HttpAgent agent = agent(server.url("/agent"), KEY, Duration.ofSeconds(5), 4, SessionHistory.NONE);

        AgentOutcome.AgentError error = invoke(agent).error();

        assertThat(server.requests("/agent").get(0).header("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).contains("agent reviewer").contains(server.url("/agent")).contains("HTTP 401")
                .contains("check the API key").doesNotContain(KEY);
    }

    @Test
    void aRequestTimeoutIsRetried() throws Exception {
        server.enqueue("/agent", Reply.status(408, "{\"error\":\"took too long for " + KEY + "\"}"));
        HttpAgent agent = agent(server.url("/agent"), KEY, Duration.ofSeconds(5), 4, SessionHistory.NONE);

        AgentOutcome.AgentError error = invoke(agent).error();

        assertThat(error.retryable()).isTrue();
        assertThat(error.message()).contains("agent reviewer").contains("HTTP 408").doesNotContain(KEY);
    }

    @Test
    void anUnreachableEndpointIsRetryable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/agent";
        HttpAgent agent = agent(url, KEY, Duration.ofSeconds(5), 4, SessionHistory.NONE);

        AgentOutcome.AgentError error = invoke(agent).error();

        assertThat(error.retryable()).isTrue();
        assertThat(error.message()).contains("agent reviewer").contains(url).contains("could not connect")
                .doesNotContain(KEY);
    }

    @Test
    void anApprovalWhoseProposedOutputIsOverTheLimitIsAnError() throws Exception {
        server.enqueue("/agent", Reply.json("{\"approvalRequest\":{\"proposedOutput\":\"" + "p".repeat(101)
                + "\",\"reason\":\"r\"}}"));

        AgentOutcome.AgentError error = invoke(agent(SessionHistory.NONE)).error();

        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).contains("101 bytes, over the limit of 100");
    }
}
