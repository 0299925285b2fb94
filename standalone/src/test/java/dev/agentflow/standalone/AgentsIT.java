package dev.agentflow.standalone;

import static dev.agentflow.processor.agent.LoopbackServer.chatAnswer;
import static dev.agentflow.processor.agent.LoopbackServer.chatToolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.LoopbackServer.Reply;
import dev.agentflow.processor.agent.LoopbackServer;
import dev.agentflow.schemas.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * Real agents end to end: the system on a real broker calls a Chat Completions server and an agent
 * service on loopback, started here, through the configured openai and http agents.
 */
class AgentsIT {

    private static final String KEY = "sk-it-never-shown";
    private static final String CHAT = "/v1/chat/completions";
    private static final LoopbackServer endpoints = LoopbackServer.start();
    private static final List<Instant> flakyCalls = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("agents",
            "--agentflow.openai.base-url=" + endpoints.url("/v1"),
            "--agentflow.openai.api-key=" + KEY,
            "--agentflow.openai.model=gpt-4o-mini",
            "--agentflow.agents[flaky].type=openai",
            "--agentflow.agents[flaky].base-url=" + endpoints.url("/flaky/v1"),
            "--agentflow.agents[publisher].type=openai",
            "--agentflow.agents[publisher].base-url=" + endpoints.url("/publisher/v1"),
            "--agentflow.agents[publisher].tools[0].name=lookup",
            "--agentflow.agents[publisher].tools[0].description=Looks a fact up",
            "--agentflow.agents[publisher].tools[0].parameters.type=object",
            "--agentflow.agents[publisher].tools[0].url=" + endpoints.url("/tools/lookup"),
            "--agentflow.agents[publisher].tools[1].name=publish",
            "--agentflow.agents[publisher].tools[1].requires-approval=true",
            "--agentflow.agents[reviewer].type=http",
            "--agentflow.agents[reviewer].url=" + endpoints.url("/reviewer"));
    private static final Http http = system.http();
    private static final Runs flows = system.runs();

    @BeforeAll
    static void answer() {
        endpoints.handle(CHAT, r -> chatAnswer("answer to: " + LoopbackServer.lastMessage(r)));
        endpoints.handle("/flaky" + CHAT, r -> {
            flakyCalls.add(Instant.now());
            return flakyCalls.size() == 1 ? Reply.status(429, "{\"error\":\"rate limited\"}").withHeader("Retry-After", "1")
                    : chatAnswer("finally");
        });
        endpoints.handle("/tools/lookup", r -> Reply.json("{\"fact\":\"42 hospitals use AI triage\"}"));
        endpoints.handle("/reviewer", r -> Reply.json("{\"output\":\"reviewed: " + r.json().get("input").asString()
                + "\"}"));
    }

    @AfterAll
    static void stop() {
        endpoints.close();
    }

    @Test
    void theReferencePipelineRunsOnTheChatModelFeedingEachOutputToTheNextStep() {
        String wf = flows.workflow("agents",
                "{\"agentId\":\"web_agent\",\"action\":\"Search for the latest news about artificial intelligence "
                        + "in healthcare\",\"stepOrder\":1}",
                "{\"agentId\":\"procurator_assistant\",\"action\":\"Summarize the search results into 3 bullet "
                        + "points\",\"stepOrder\":2}",
                "{\"agentId\":\"procurator_assistant\",\"action\":\"Turn these bullet points into a 2-paragraph "
                        + "newsletter section\",\"stepOrder\":3}");
        int before = endpoints.requests(CHAT).size();

        JsonNode done = flows.awaitStatus(flows.start(wf, "artificial intelligence in healthcare 2025"), "COMPLETED",
                Duration.ofSeconds(30));

        JsonNode steps = done.get("steps");
        List<LoopbackServer.Request> calls = endpoints.requests(CHAT).subList(before, before + 3);
        assertThat(LoopbackServer.lastMessage(calls.get(0))).isEqualTo("Search for the latest news about artificial "
                + "intelligence in healthcare\n\nInput:\nartificial intelligence in healthcare 2025");
        for (int i = 1; i < 3; i++) {
            assertThat(LoopbackServer.lastMessage(calls.get(i))).endsWith("\n\nInput:\n"
                    + steps.get(i - 1).get("output").asString());
            assertThat(steps.get(i).get("input").asString()).isEqualTo(steps.get(i - 1).get("output").asString());
        }
        assertThat(calls.get(0).json().get("messages").get(0).get("content").asString()).contains("research agent");
        JsonNode step2 = calls.get(1).json().get("messages");
        assertThat(step2.get(step2.size() - 3).toString()).as("step 1's exchange, before step 2's own message")
                .isEqualTo(Json.mapper().createObjectNode().put("role", "user").put("content", "Search for the latest "
                        + "news about artificial intelligence in healthcare\n\nInput:\nartificial intelligence in "
                        + "healthcare 2025").toString());
        assertThat(step2.get(step2.size() - 2).toString()).isEqualTo(Json.mapper().createObjectNode()
                .put("role", "assistant").put("content", steps.get(0).get("output").asString()).toString());
        JsonNode step3 = calls.get(2).json().get("messages");
        assertThat(step3.get(step3.size() - 3).get("content").asString())
                .isEqualTo(LoopbackServer.lastMessage(calls.get(1)));
        assertThat(step3.get(step3.size() - 2).get("content").asString()).isEqualTo(steps.get(1).get("output")
                .asString());
        assertThat(calls).allSatisfy(c -> assertThat(c.header("Authorization")).isEqualTo("Bearer " + KEY));
        assertThat(done.get("output").asString()).startsWith("answer to: Turn these bullet points");

        String agents = http.get("/api/v1/agents").raw().body();
        assertThat(agents).doesNotContain(KEY).doesNotContain("127.0.0.1");
        JsonNode webAgent = http.get("/api/v1/agents/web_agent").body();
        assertThat(webAgent.get("type").asString()).isEqualTo("openai");
        assertThat(webAgent.get("model").asString()).isEqualTo("gpt-4o-mini");
        assertThat(http.get("/api/v1/agents/publisher").body().get("tools").toString())
                .isEqualTo("[\"lookup\",\"publish\"]");
        // which of them pause the run for an operator (the console's catalog marks them)
        assertThat(http.get("/api/v1/agents/publisher").body().get("approvalTools").toString())
                .isEqualTo("[\"publish\"]");
    }

    @Test
    void aGatedToolPausesTheRunAndTheResumedOutputFeedsTheNextStep() {
        endpoints.enqueue("/publisher" + CHAT,
                chatToolCall(null, "call_1", "lookup", "{\"topic\":\"triage\"}"),
                chatToolCall("Here is the post; publishing needs your approval.", "call_2", "publish",
                        "{\"text\":\"42 hospitals use AI triage\"}"));
        String wf = flows.workflow("agents", "{\"agentId\":\"publisher\",\"action\":\"Write and publish a post\"}",
                "{\"agentId\":\"procurator_assistant\",\"action\":\"Announce\"}");
        String runId = flows.start(wf, "AI triage");

        JsonNode paused = flows.awaitStatus(runId, "PAUSED", Duration.ofSeconds(30));
        JsonNode approval = paused.get("pendingApproval");
        assertThat(approval.get("tool").asString()).isEqualTo("publish");
        assertThat(approval.get("arguments").get("text").asString()).isEqualTo("42 hospitals use AI triage");
        assertThat(approval.get("reason").asString()).isEqualTo("Here is the post; publishing needs your approval.");
        assertThat(endpoints.requests("/tools/lookup")).hasSize(1);
        List<LoopbackServer.Request> publisherCalls = endpoints.requests("/publisher" + CHAT);
        JsonNode toolResult = publisherCalls.get(1).json().get("messages").get(2);
        assertThat(toolResult.get("role").asString()).isEqualTo("tool");
        assertThat(toolResult.get("content").asString()).isEqualTo("{\"fact\":\"42 hospitals use AI triage\"}");
        assertThat(publisherCalls.get(0).json().get("tools").get(0).get("function").get("parameters").toString())
                .isEqualTo("{\"type\":\"object\"}");

        assertThat(http.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"Published: AI triage\"}")
                .status()).isEqualTo(202);
        JsonNode done = flows.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(30));
        assertThat(done.get("steps").get(1).get("input").asString()).isEqualTo("Published: AI triage");
        assertThat(done.get("output").asString()).isEqualTo("answer to: Announce\n\nInput:\nPublished: AI triage");
    }

    @Test
    void aRateLimitedCallIsRetriedAfterItsRetryAfter() {
        String runId = flows.start(flows.workflow("agents",
                "{\"agentId\":\"flaky\",\"action\":\"Go\",\"config\":{\"retryBackoffMs\":10}}"),
                "x");

        JsonNode done = flows.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(30));

        assertThat(done.get("output").asString()).isEqualTo("finally");
        assertThat(done.get("steps").get(0).get("attempts").asInt()).isEqualTo(2);
        assertThat(Duration.between(flakyCalls.get(0), flakyCalls.get(1))).isGreaterThanOrEqualTo(
                Duration.ofMillis(900));
    }

    @Test
    void theHttpAgentProtocolWithARetried503AndAPausedApproval() {
        endpoints.enqueue("/reviewer", Reply.status(503, "{\"error\":\"warming up\"}"),
                Reply.json("{\"approvalRequest\":{\"proposedOutput\":\"draft v2\",\"reason\":\"check the tone\"}}"));
        String runId = flows.start(flows.workflow("agents",
                "{\"agentId\":\"reviewer\",\"action\":\"Review\",\"config\":{\"retryBackoffMs\":10}}",
                "{\"agentId\":\"reviewer\",\"action\":\"Final check\"}"), "draft v1");

        JsonNode paused = flows.awaitStatus(runId, "PAUSED", Duration.ofSeconds(30));
        assertThat(paused.get("pendingApproval").get("proposedOutput").asString()).isEqualTo("draft v2");
        assertThat(paused.get("steps").get(0).get("attempts").asInt()).isEqualTo(2);
        http.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"draft v3\"}");

        JsonNode done = flows.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(30));
        assertThat(done.get("output").asString()).isEqualTo("reviewed: draft v3");
        List<JsonNode> bodies = endpoints.requests("/reviewer").stream()
                .map(LoopbackServer.Request::json).filter(b -> b.get("runId").asString().equals(runId)).toList();
        assertThat(bodies).hasSize(3);
        assertThat(bodies.get(0).get("idempotencyKey").asString()).isEqualTo(runId + ":1:1");
        assertThat(bodies.get(1).get("idempotencyKey").asString()).isEqualTo(runId + ":1:2");
        assertThat(bodies.get(2).get("stepOrder").asInt()).isEqualTo(2);
        assertThat(bodies.get(2).get("input").asString()).isEqualTo("draft v3");
        assertThat(bodies.get(2).get("action").asString()).isEqualTo("Final check");
        assertThat(bodies.get(0).get("history")).as("nothing before the first step").isEmpty();
        assertThat(bodies.get(2).get("history").toString()).as("step 1, with the output the operator approved")
                .isEqualTo("[{\"runId\":\"" + runId + "\",\"stepOrder\":1,\"agentId\":\"reviewer\","
                        + "\"action\":\"Review\",\"input\":\"draft v1\",\"output\":\"draft v3\"}]");
    }
}
