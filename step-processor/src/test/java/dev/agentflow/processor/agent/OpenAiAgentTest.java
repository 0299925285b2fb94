package dev.agentflow.processor.agent;

import static dev.agentflow.processor.agent.LoopbackServer.chatAnswer;
import static dev.agentflow.processor.agent.LoopbackServer.chatToolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.LoopbackServer.Reply;
import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.runtime.agents.AgentDefinition.ToolDefinition;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The openai agent against a real Chat Completions server on loopback. */
class OpenAiAgentTest {

    private static final String KEY = "sk-test-very-secret-key";
    private static final String CHAT = "/v1/chat/completions";
    private final LoopbackServer server = LoopbackServer.start();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Deltas on, as in the engine: the agent asks to stream, and reads an answer given whole as a whole. */
    private static final Deltas STREAMED = (request, delta) -> CompletableFuture.completedFuture(null);

    @AfterEach
    void stop() {
        server.close();
    }

    private AgentDefinition definition(String baseUrl, Duration timeout, int maxOutputBytes, ToolDefinition... tools) {
        return new AgentDefinition("Web agent", "Researches", "openai", "test-model", "You research.", baseUrl, KEY,
                null, timeout, 3, 2, 5, maxOutputBytes, List.of(tools), null);
    }

    private OpenAiAgent agent(ToolDefinition... tools) {
        return new OpenAiAgent("web_agent", definition(server.url("/v1"), Duration.ofSeconds(5), 1000, tools), client,
                SessionHistory.NONE, null, STREAMED);
    }

    private static AgentRequest request(String action, String input) {
        return new AgentRequest("wr-1", "wf-1", 1, 1, "web_agent", action, Payload.ofNullable(input), "session-1", Map.of(),
                "wr-1:1:1");
    }

    private static AgentOutcome await(CompletableFuture<AgentOutcome> outcome) throws Exception {
        return outcome.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPlainAnswerIsTheOutput() throws Exception {
        server.enqueue(CHAT, chatAnswer("AI finds tumours earlier."));

        AgentOutcome outcome = await(agent().invoke(request("Search the news", "AI in healthcare")));

        assertThat(outcome).isEqualTo(AgentOutcome.output("AI finds tumours earlier."));
        LoopbackServer.Request sent = server.requests(CHAT).get(0);
        assertThat(sent.header("Authorization")).isEqualTo("Bearer " + KEY);
        JsonNode body = sent.json();
        assertThat(body.get("model").asString()).isEqualTo("test-model");
        assertThat(body.has("tools")).isFalse();
        assertThat(body.get("messages").toString()).isEqualTo("[{\"role\":\"system\",\"content\":\"You research.\"},"
                + "{\"role\":\"user\",\"content\":\"Search the news\\n\\nInput:\\nAI in healthcare\"}]");
    }

    @Test
    void theSessionsEarlierExchangesComeBetweenTheSystemPromptAndTheStep() throws Exception {
        List<Integer> limits = new ArrayList<>();
        SessionHistory history = (request, limit) -> {
            limits.add(limit);
            return CompletableFuture.completedFuture(List.of(new Exchange("wr-0", 1, "web_agent", "Search", "AI",
                    "Earlier findings")));
        };
        server.enqueue(CHAT, chatAnswer("ok"));
        OpenAiAgent agent = new OpenAiAgent("web_agent", definition(server.url("/v1/"), Duration.ofSeconds(5), 1000),
                client, history, null, STREAMED);

        assertThat(await(agent.invoke(request("Summarize", "")))).isEqualTo(AgentOutcome.output("ok"));

        assertThat(limits).containsExactly(5);
        assertThat(server.requests(CHAT).get(0).json().get("messages").toString()).isEqualTo("["
                + "{\"role\":\"system\",\"content\":\"You research.\"},"
                + "{\"role\":\"user\",\"content\":\"Search\\n\\nInput:\\nAI\"},"
                + "{\"role\":\"assistant\",\"content\":\"Earlier findings\"},"
                + "{\"role\":\"user\",\"content\":\"Summarize\"}]");
    }

    @Test
    void aToolCallIsExecutedAndItsResultGoesBackToTheModel() throws Exception {
        server.handle("/tools/search", r -> Reply.json("{\"results\":[\"FDA clears AI triage\"]}"));
        server.enqueue(CHAT, chatToolCall("Let me search.", "call_1", "search", "{\"query\":\"AI health\"}"),
                chatAnswer("FDA clears AI triage."));
        ToolDefinition search = new ToolDefinition("search", "Searches the web",
                Map.of("type", "object", "properties", Map.of("query", Map.of("type", "string"))),
                server.url("/tools/search"), false);

        AgentOutcome outcome = await(agent(search).invoke(request("Search", "AI")));

        assertThat(outcome).isEqualTo(AgentOutcome.output("FDA clears AI triage."));
        LoopbackServer.Request toolCall = server.requests("/tools/search").get(0);
        assertThat(toolCall.json().get("query").asString()).isEqualTo("AI health");
        assertThat(toolCall.header("Authorization")).as("the model's key stays with the model").isNull();
        List<LoopbackServer.Request> chats = server.requests(CHAT);
        assertThat(chats).hasSize(2);
        JsonNode declared = chats.get(0).json().get("tools").get(0);
        assertThat(declared.get("type").asString()).isEqualTo("function");
        assertThat(declared.get("function").get("name").asString()).isEqualTo("search");
        assertThat(declared.get("function").get("parameters").get("properties").has("query")).isTrue();
        JsonNode messages = chats.get(1).json().get("messages");
        JsonNode assistant = messages.get(2);
        assertThat(assistant.get("role").asString()).isEqualTo("assistant");
        assertThat(assistant.get("tool_calls").get(0).get("id").asString()).isEqualTo("call_1");
        JsonNode result = messages.get(3);
        assertThat(result.get("role").asString()).isEqualTo("tool");
        assertThat(result.get("tool_call_id").asString()).isEqualTo("call_1");
        assertThat(result.get("content").asString()).isEqualTo("{\"results\":[\"FDA clears AI triage\"]}");
    }

    @Test
    void aToolThatRequiresApprovalPausesInsteadOfBeingCalled() throws Exception {
        server.enqueue(CHAT, chatToolCall("The draft is ready to publish.", "call_9", "publish",
                "{\"text\":\"Hello readers\"}"));
        ToolDefinition publish = new ToolDefinition("publish", "Publishes", null, server.url("/tools/publish"), true);

        AgentOutcome outcome = await(agent(publish).invoke(request("Publish", "draft")));

        assertThat(outcome.approval()).isNotNull();
        assertThat(outcome.approval().tool()).isEqualTo("publish");
        assertThat(outcome.approval().arguments()).isEqualTo(Map.of("text", "Hello readers"));
        assertThat(outcome.approval().reason()).isEqualTo("The draft is ready to publish.");
        assertThat(outcome.approval().proposedOutput()).isEqualTo(Payload.inline("{\"text\":\"Hello readers\"}"));
        assertThat(server.requests("/tools/publish")).isEmpty();
    }

    @Test
    void aModelThatKeepsCallingToolsStopsAfterMaxTurns() throws Exception {
        server.handle("/tools/search", r -> Reply.json("nothing"));
        server.handle(CHAT, r -> chatToolCall(null, "c", "search", "{}"));
        ToolDefinition search = new ToolDefinition("search", null, null, server.url("/tools/search"), false);

        AgentOutcome outcome = await(agent(search).invoke(request("Search", "x")));

        assertThat(outcome.error().retryable()).isFalse();
        assertThat(outcome.error().message()).contains("web_agent").contains("after 3 turns");
        assertThat(server.requests(CHAT)).hasSize(3);
    }

    @Test
    void rateLimitedIsRetryableAfterTheRetryAfter() throws Exception {
        server.enqueue(CHAT, Reply.status(429, "{\"error\":{\"message\":\"slow down\"}}").withHeader("Retry-After", "2"));

        AgentOutcome.AgentError error = await(agent().invoke(request("a", "b"))).error();

        assertThat(error.retryable()).isTrue();
        assertThat(error.retryAfterMs()).isEqualTo(2000L);
        assertThat(error.message()).contains("agent web_agent").contains(server.url("/v1/…")).contains("HTTP 429")
                .contains("slow down");
    }

    @Test
    void serverErrorsAreRetryableAndOtherClientErrorsAreNot() throws Exception {
        server.enqueue(CHAT, Reply.status(500, "{\"error\":\"boom\"}"),
                Reply.status(400, "{\"error\":\"bad request for key " + KEY + "\"}"));

        AgentOutcome.AgentError first = await(agent().invoke(request("a", "b"))).error();
        AgentOutcome.AgentError second = await(agent().invoke(request("a", "b"))).error();

        assertThat(first.retryable()).isTrue();
        assertThat(first.retryAfterMs()).isNull();
        assertThat(first.message()).contains("HTTP 500");
        assertThat(second.retryable()).isFalse();
        assertThat(second.message()).contains("HTTP 400").doesNotContain(KEY).contains("***");
    }

    @Test
    void refusedCredentialsAreNotRetriedAndTheKeyIsNeverShown() throws Exception {
        server.enqueue(CHAT, Reply.status(401, "{\"error\":\"Incorrect API key provided: " + KEY + "\"}"));

        AgentOutcome.AgentError error = await(agent().invoke(request("a", "b"))).error();

        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).contains("HTTP 401").contains("check the API key").doesNotContain(KEY);
    }

    @Test
    void forbiddenIsNotRetriedAndTheKeyIsNeverShown() throws Exception {
        server.enqueue(CHAT, Reply.status(403, "{\"error\":\"key " + KEY + " may not use this model\"}"));

        AgentOutcome.AgentError error = await(agent().invoke(request("a", "b"))).error();

        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).contains("agent web_agent").contains(server.url("/v1/…")).contains("HTTP 403")
                .contains("check the API key").doesNotContain(KEY);
    }

    @Test
    void aFailingToolEndpointFailsTheAttemptNamingTheTool() throws Exception {
        server.enqueue("/tools/search/hook-secret", Reply.status(500, "{\"error\":\"index down\"}"),
                Reply.status(404, "{\"error\":\"gone\"}"));
        server.handle(CHAT, r -> chatToolCall(null, "c", "search", "{}"));
        ToolDefinition search = new ToolDefinition("search", null, null, server.url("/tools/search/hook-secret"),
                false);

        AgentOutcome.AgentError down = await(agent(search).invoke(request("Search", "x"))).error();
        AgentOutcome.AgentError gone = await(agent(search).invoke(request("Search", "x"))).error();

        assertThat(down.retryable()).isTrue();
        assertThat(down.message()).isEqualTo("agent web_agent: tool search: POST " + server.url("/tools/…")
                + ": HTTP 500: {\"error\":\"index down\"}");
        assertThat(gone.retryable()).isFalse();
        assertThat(gone.message()).contains("tool search").contains("HTTP 404").doesNotContain("hook-secret")
                .doesNotContain(KEY);
    }

    @Test
    void anApprovalWhoseProposedOutputIsOverTheLimitIsAnError() throws Exception {
        server.enqueue(CHAT, chatToolCall(null, "call_9", "publish", "{\"text\":\"" + "x".repeat(1000) + "\"}"));
        ToolDefinition publish = new ToolDefinition("publish", null, null, null, true);

        AgentOutcome.AgentError error = await(agent(publish).invoke(request("Publish", "draft"))).error();

        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).contains("web_agent").contains("over the limit of 1000");
    }

    @Test
    void aMalformedAnswerIsNotRetried() throws Exception {
        server.enqueue(CHAT, Reply.json("{not json"), Reply.json("{\"choices\":[]}"));

        AgentOutcome.AgentError notJson = await(agent().invoke(request("a", "b"))).error();
        AgentOutcome.AgentError noChoice = await(agent().invoke(request("a", "b"))).error();

        assertThat(notJson.retryable()).isFalse();
        assertThat(notJson.message()).contains("web_agent").contains("malformed response").contains("not JSON");
        assertThat(noChoice.retryable()).isFalse();
        assertThat(noChoice.message()).contains("no choices[0].message");
    }

    @Test
    void anOutputOverTheLimitIsAnError() throws Exception {
        server.enqueue(CHAT, chatAnswer("x".repeat(1001)), chatAnswer("y".repeat(70 * 1024)));

        AgentOutcome.AgentError over = await(agent().invoke(request("a", "b"))).error();
        AgentOutcome.AgentError huge = await(agent().invoke(request("a", "b"))).error();

        assertThat(over.retryable()).isFalse();
        assertThat(over.message()).contains("1001 bytes, over the limit of 1000");
        assertThat(huge.retryable()).isFalse();
        // read line by line (the agent asks to stream): an answer given whole is kept up to the same cap
        assertThat(huge.message()).contains("larger than");
    }

    @Test
    void anUnreachableEndpointIsRetryable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        OpenAiAgent agent = new OpenAiAgent("web_agent", definition("http://127.0.0.1:" + closedPort + "/v1",
                Duration.ofSeconds(5), 1000), client, SessionHistory.NONE, null, STREAMED);

        AgentOutcome.AgentError error = await(agent.invoke(request("a", "b"))).error();

        assertThat(error.retryable()).isTrue();
        assertThat(error.message()).contains("web_agent").contains("127.0.0.1:" + closedPort + "/v1/…")
                .contains("could not connect").doesNotContain(KEY);
    }

    @Test
    void noAnswerWithinTheTimeoutIsRetryable() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.handle(CHAT, r -> {
            awaitQuietly(release);
            return chatAnswer("late");
        });
        OpenAiAgent agent = new OpenAiAgent("web_agent", definition(server.url("/v1"), Duration.ofMillis(300), 1000),
                client, SessionHistory.NONE, null, STREAMED);
        try {
            AgentOutcome.AgentError error = await(agent.invoke(request("a", "b"))).error();
            assertThat(error.retryable()).isTrue();
            assertThat(error.message()).contains("no answer within 300 ms");
        } finally {
            release.countDown();
        }
    }

    @Test
    void atMostMaxConcurrencyCallsAreInFlightPerAgent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        server.handle(CHAT, r -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            awaitQuietly(release);
            inFlight.decrementAndGet();
            return chatAnswer("ok");
        });
        Map<String, AgentDefinition> configured = Map.of("web_agent", definition(server.url("/v1"),
                Duration.ofSeconds(10), 1000));
        Agent agent = new ConfiguredAgents(configured, new AgentDefinition.OpenAiDefaults(null, null, null))
                .agents(client, SessionHistory.NONE).get(0);

        List<CompletableFuture<AgentOutcome>> outcomes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            outcomes.add(agent.invoke(request("a", "b" + i)));
        }
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.requests(CHAT).size() == 2);
        assertThat(outcomes).noneMatch(CompletableFuture::isDone);
        release.countDown();

        for (CompletableFuture<AgentOutcome> outcome : outcomes) {
            assertThat(await(outcome)).isEqualTo(AgentOutcome.output("ok"));
        }
        assertThat(server.requests(CHAT)).hasSize(5);
        assertThat(most.get()).isEqualTo(2);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aStepWithoutAnActionSendsOnlyItsInput() {
        assertThat(OpenAiAgent.userMessage("", "the input")).isEqualTo("the input");
        assertThat(OpenAiAgent.userMessage("  ", "the input")).isEqualTo("the input");
        assertThat(OpenAiAgent.userMessage("Summarize", "the input")).isEqualTo("Summarize\n\nInput:\nthe input");
    }
}
