package dev.agentflow.processor.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.runtime.agents.AgentDefinition.ToolDefinition;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunDelta;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** An openai agent asks its endpoint to stream, and streams each piece on as a delta as it comes. */
class StreamingAgentTest {

    private static final String CHAT = "/v1/chat/completions";
    private final LoopbackServer server = LoopbackServer.start();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<RunDelta> written = new CopyOnWriteArrayList<>();
    private final Deltas deltas = (request, delta) -> {
        written.add(delta);
        return CompletableFuture.completedFuture(null);
    };

    @AfterEach
    void stop() {
        server.close();
    }

    private OpenAiAgent agent(ToolDefinition... tools) {
        return new OpenAiAgent("web_agent", new AgentDefinition("Web agent", null, "openai", "m", null,
                server.url("/v1"), "sk-x", null, Duration.ofSeconds(5), 3, 2, 5, 100_000, List.of(tools), null),
                client, SessionHistory.NONE, null, deltas);
    }

    private static AgentRequest request() {
        return new AgentRequest("wr-1", "wf-1", 2, 3, "web_agent", "Summarize", Payload.inline("in"), "s", Map.of(),
                "wr-1:2:3");
    }

    @Test
    void textPiecesAreDeltasInOrderAndTheOutputIsTheirConcatenation() throws Exception {
        List<String> pieces = List.of("Hel", "lo, ", "wor", "ld", "!");
        server.enqueue(CHAT, LoopbackServer.chatStream(pieces, i -> { }));

        AgentOutcome outcome = agent().invoke(request()).get(10, TimeUnit.SECONDS);

        assertThat(outcome.output()).isEqualTo(Payload.inline("Hello, world!"));
        assertThat(server.requests(CHAT).get(0).json().get("stream").asBoolean()).isTrue();
        assertThat(written).extracting(RunDelta::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(written.subList(0, 5)).extracting(RunDelta::text).containsExactlyElementsOf(pieces);
        assertThat(written).allSatisfy(d -> {
            assertThat(d.runId()).isEqualTo("wr-1");
            assertThat(d.stepOrder()).isEqualTo(2);
            assertThat(d.attempt()).isEqualTo(3);
        });
        assertThat(written.get(5).end()).as("the last delta, before the result").isTrue();
    }

    @Test
    void toolCallsInTheToolLoopAreDeltasOfTheirOwnKind() throws Exception {
        server.handle("/tools/lookup", r -> LoopbackServer.Reply.json("{\"fact\":\"42\"}"));
        ObjectNode call = Json.mapper().createObjectNode().put("id", "chatcmpl-1").put("object", "chat.completion.chunk");
        ObjectNode part = call.putArray("choices").addObject().put("index", 0).putObject("delta").putArray("tool_calls")
                .addObject().put("index", 0).put("id", "call_1").put("type", "function");
        part.putObject("function").put("name", "lookup").put("arguments", "{\"topic\":");
        ObjectNode more = Json.mapper().createObjectNode().put("id", "chatcmpl-1");
        more.putArray("choices").addObject().put("index", 0).putObject("delta").putArray("tool_calls").addObject()
                .put("index", 0).putObject("function").put("arguments", "\"ai\"}");
        server.enqueue(CHAT, LoopbackServer.Reply.streamed("text/event-stream", List.of("data: " + call + "\n\n",
                "data: " + more + "\n\n", "data: [DONE]\n\n"), i -> { }));
        server.enqueue(CHAT, LoopbackServer.chatStream(List.of("The fact is ", "42."), i -> { }));

        AgentOutcome outcome = agent(new ToolDefinition("lookup", "Looks up", null, server.url("/tools/lookup"), false))
                .invoke(request()).get(10, TimeUnit.SECONDS);

        assertThat(outcome.output()).isEqualTo(Payload.inline("The fact is 42."));
        assertThat(server.requests("/tools/lookup").get(0).json().get("topic").asString()).isEqualTo("ai");
        assertThat(written.stream().filter(d -> d.kind().equals(RunDelta.TOOL_CALL)).map(RunDelta::text)
                .collect(Collectors.joining())).isEqualTo("{\"topic\":\"ai\"}");
        assertThat(written.get(0).tool()).isEqualTo("lookup");
        assertThat(written).extracting(RunDelta::kind).containsExactly(RunDelta.TOOL_CALL, RunDelta.TOOL_CALL,
                RunDelta.TEXT, RunDelta.TEXT, RunDelta.END);
    }

    @Test
    void aStreamCutOffBeforeItsEndOrEndingInAnErrorFailsTheAttemptRetryably() throws Exception {
        List<String> cut = new java.util.ArrayList<>(LoopbackServer.chatStream(List.of("half an ", "answer"), i -> { })
                .chunks());
        cut.remove(cut.size() - 1); // no [DONE]: the connection closed early
        server.enqueue(CHAT, LoopbackServer.Reply.streamed("text/event-stream", cut, i -> { }));
        server.enqueue(CHAT, LoopbackServer.Reply.streamed("text/event-stream", List.of(
                "data: {\"error\":{\"message\":\"Overloaded\"}}\n\n"), i -> { }));

        AgentOutcome.AgentError cutOff = agent().invoke(request()).get(10, TimeUnit.SECONDS).error();
        AgentOutcome.AgentError failed = agent().invoke(request()).get(10, TimeUnit.SECONDS).error();

        assertThat(cutOff.retryable()).isTrue();
        assertThat(cutOff.message()).contains("before the answer was complete");
        assertThat(failed.retryable()).isTrue();
        assertThat(failed.message()).contains("Overloaded");
    }

    @Test
    void anEndpointThatAnswersWholeAnywayIsReadAsAWholeAnswer() throws Exception {
        server.enqueue(CHAT, LoopbackServer.chatAnswer("all at once"));

        AgentOutcome outcome = agent().invoke(request()).get(10, TimeUnit.SECONDS);

        assertThat(outcome.output()).isEqualTo(Payload.inline("all at once"));
        assertThat(written).as("nothing streamed, nothing to end").isEmpty();
    }
}
