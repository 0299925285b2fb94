package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Event history, and the live SSE streams of a run and of a workflow's runs, through the real HTTP API. */
class EventsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> PAUSED_THEN_RESUMED = List.of("RunStarted", "StepStarted", "StepCompleted",
            "StepStarted", "RunPaused", "RunResumed", "StepCompleted", "StepStarted", "StepCompleted", "RunCompleted");

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("events", "--agentflow.api.stream-heartbeat=200ms");
    private static final Http http = system.http();
    private static final Runs flows = system.runs();

    private static String approvalWorkflow() {
        return flows.workflow("events", "{\"agentId\":\"template\",\"action\":\"Summary: {{input}}\"}",
                "{\"agentId\":\"human_approval\",\"action\":\"Approve\"}",
                "{\"agentId\":\"template\",\"action\":\"Final: {{input}}\"}");
    }

    private static void resume(String runId) {
        assertThat(http.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"ok\"}").status())
                .isEqualTo(202);
    }

    private static List<JsonNode> history(String path) {
        return toList(http.get(path + "?size=1000").body().get("content"));
    }

    private static List<JsonNode> toList(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static JsonNode json(String text) {
        return Json.mapper().readTree(text);
    }

    /** Reads events until (and including) one of the given type. */
    private static List<Sse.Event> until(Sse stream, String type) {
        List<Sse.Event> events = new ArrayList<>();
        Sse.Event event;
        do {
            event = stream.next(WAIT);
            events.add(event);
        } while (!event.name().equals(type));
        return events;
    }

    @Test
    void historyOfAPausedThenResumedRunListsEveryTransitionInOrder() {
        String wf = approvalWorkflow();
        String runId = flows.start(wf, "AI news");
        flows.awaitStatus(runId, "PAUSED", WAIT);
        resume(runId);
        flows.awaitStatus(runId, "COMPLETED", WAIT);

        List<JsonNode> events = history("/api/v1/workflows/runs/" + runId + "/events");
        assertThat(events).extracting(e -> e.get("type").asString()).containsExactlyElementsOf(PAUSED_THEN_RESUMED);
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            assertThat(e.get("version").asLong()).isEqualTo(i + 1);
            assertThat(e.get("aggregateId").asString()).isEqualTo(runId);
            assertThat(e.get("eventId").asString()).startsWith("evt-");
            assertThat(e.get("schemaVersion").asInt()).isEqualTo(1);
            assertThat(e.has("occurredAt") && e.has("commandId")).isTrue();
            assertThat(e.get("data").get("runId").asString()).isEqualTo(runId);
        }
        assertThat(events.get(5).get("data").get("output").asString()).isEqualTo("ok");
        assertThat(events.get(0).get("data").get("workflowId").asString()).isEqualTo(wf);

        JsonNode page = http.get("/api/v1/workflows/runs/" + runId + "/events?page=1&size=4").body();
        assertThat(page.get("totalElements").asInt()).isEqualTo(10);
        assertThat(page.get("totalPages").asInt()).isEqualTo(3);
        assertThat(page.get("page").get("number").asInt()).isEqualTo(1);
        assertThat(page.get("page").get("size").asInt()).isEqualTo(4);
        assertThat(toList(page.get("content"))).containsExactlyElementsOf(events.subList(4, 8));

        List<JsonNode> workflowEvents = history("/api/v1/workflows/" + wf + "/events");
        assertThat(workflowEvents).extracting(e -> e.get("type").asString() + "@" + e.get("version").asLong())
                .as("a run is the run's own history (its RunStarted names the workflow): the workflow is unchanged")
                .containsExactly("WorkflowCreated@1", "StepAdded@2", "StepAdded@3", "StepAdded@4");
        assertThat(workflowEvents.get(1).get("data").get("step").get("agentId").asString()).isEqualTo("template");
    }

    @Test
    void runStreamDeliversHistoryThenLiveEventsAndEnds() {
        String runId = flows.start(approvalWorkflow(), "AI news");
        flows.awaitStatus(runId, "PAUSED", WAIT);
        try (Sse stream = Sse.open(http.base() + "/api/v1/workflows/runs/" + runId + "/stream", null)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            List<Sse.Event> received = until(stream, "RunPaused");
            resume(runId);
            received.addAll(until(stream, "RunCompleted"));
            Awaitility.await("the stream ends").atMost(WAIT).until(stream::ended);

            List<JsonNode> history = history("/api/v1/workflows/runs/" + runId + "/events");
            assertThat(received).extracting(Sse.Event::name).containsExactlyElementsOf(PAUSED_THEN_RESUMED);
            assertThat(received).extracting(Sse.Event::id)
                    .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
            assertThat(received).extracting(e -> json(e.data())).containsExactlyElementsOf(history);
        }
        // A client that has everything is told to stop reconnecting
        try (Sse done = Sse.open(http.base() + "/api/v1/workflows/runs/" + runId + "/stream", "10")) {
            assertThat(done.status()).isEqualTo(204);
        }
    }

    @Test
    void runStreamResumesAfterAForcedDisconnectWithoutGapsOrRepeats() {
        String runId = flows.start(approvalWorkflow(), "AI news");
        List<Sse.Event> received;
        try (Sse first = Sse.open(http.base() + "/api/v1/workflows/runs/" + runId + "/stream", null)) {
            received = until(first, "RunPaused");
        }
        flows.awaitStatus(runId, "PAUSED", WAIT);
        String lastId = received.get(received.size() - 1).id();
        // Reconnected while the run waits: what follows can only come from the live tail
        try (Sse second = Sse.open(http.base() + "/api/v1/workflows/runs/" + runId + "/stream", lastId)) {
            assertThat(second.status()).isEqualTo(200);
            resume(runId);
            received.addAll(until(second, "RunCompleted"));
            Awaitility.await("the stream ends").atMost(WAIT).until(second::ended);
        }
        assertThat(received).extracting(Sse.Event::id)
                .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        assertThat(received).extracting(Sse.Event::name).containsExactlyElementsOf(PAUSED_THEN_RESUMED);
        assertThat(received).extracting(e -> json(e.data()))
                .containsExactlyElementsOf(history("/api/v1/workflows/runs/" + runId + "/events"));
    }

    @Test
    void workflowRunsStreamFollowsEveryRunAndResumesWithoutGapsOrRepeats() {
        String wf = flows.workflow("events", "{\"agentId\":\"template\",\"action\":\"A: {{input}}\"}",
                "{\"agentId\":\"template\",\"action\":\"B: {{input}}\"}");
        List<String> runs = new ArrayList<>();
        List<Sse.Event> received = new ArrayList<>();
        String lastId;
        try (Sse stream = Sse.open(http.base() + "/api/v1/workflows/" + wf + "/runs/stream", null)) {
            assertThat(stream.status()).isEqualTo(200);
            for (int i = 0; i < 3; i++) {
                runs.add(flows.start(wf, "AI news"));
            }
            while (received.stream().filter(e -> e.name().equals("RunCompleted")).count() < 3) {
                received.add(stream.next(WAIT));
            }
            Awaitility.await("a heartbeat").atMost(WAIT).until(() -> stream.comments().contains("heartbeat"));
            lastId = received.get(received.size() - 1).id();
        }
        runs.add(flows.start(wf, "AI news"));
        flows.awaitStatus(runs.get(3), "COMPLETED", WAIT);
        runs.add(flows.start(wf, "AI news"));
        try (Sse again = Sse.open(http.base() + "/api/v1/workflows/" + wf + "/runs/stream", lastId)) {
            while (received.stream().filter(e -> e.name().equals("RunCompleted")).count() < 5) {
                received.add(again.next(WAIT));
            }
        }

        Set<String> ids = new HashSet<>();
        Map<String, List<JsonNode>> byRun = new HashMap<>();
        for (Sse.Event e : received) {
            assertThat(ids.add(e.id())).as("id %s sent once", e.id()).isTrue();
            JsonNode envelope = json(e.data());
            assertThat(e.name()).isEqualTo(envelope.get("type").asString());
            byRun.computeIfAbsent(envelope.get("aggregateId").asString(), k -> new ArrayList<>()).add(envelope);
        }
        assertThat(byRun.keySet()).containsExactlyInAnyOrderElementsOf(runs);
        for (String runId : runs) {
            assertThat(byRun.get(runId)).as(runId)
                    .containsExactlyElementsOf(history("/api/v1/workflows/runs/" + runId + "/events"));
        }
    }

    @Test
    void unknownAggregatesAndBadRequestsAreProblems() {
        for (String path : List.of("/api/v1/workflows/runs/wr-nope/events", "/api/v1/workflows/wf-nope/events",
                "/api/v1/workflows/runs/bad%20id/events")) {
            Http.Response r = http.get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        for (String path : List.of("/api/v1/workflows/runs/wr-nope/stream", "/api/v1/workflows/wf-nope/runs/stream")) {
            try (Sse stream = Sse.open(http.base() + path, null)) {
                assertThat(stream.status()).as(path).isEqualTo(404);
                assertThat(stream.contentType()).startsWith("application/problem+json");
            }
        }
        String wf = flows.workflow("events", "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}");
        String runId = flows.start(wf, "AI news");
        Http.Response badPage = http.get("/api/v1/workflows/runs/" + runId + "/events?size=0");
        assertThat(badPage.status()).isEqualTo(400);
        assertThat(badPage.body().get("errors").get(0).get("field").asString()).isEqualTo("size");
        assertThat(http.get("/api/v1/workflows/" + wf + "/events?page=x").status()).isEqualTo(400);
        for (Map.Entry<String, String> bad : Map.of("/api/v1/workflows/runs/" + runId + "/stream", "x",
                "/api/v1/workflows/" + wf + "/runs/stream", "0:x").entrySet()) {
            try (Sse stream = Sse.open(http.base() + bad.getKey(), bad.getValue())) {
                assertThat(stream.status()).as(bad.getKey()).isEqualTo(400);
                assertThat(stream.contentType()).startsWith("application/problem+json");
            }
        }

        assertThat(http.delete("/api/v1/workflows/" + wf).status()).isEqualTo(204);
        assertThat(history("/api/v1/workflows/" + wf + "/events")).extracting(e -> e.get("type").asString())
                .as("a deleted workflow's history stays").endsWith("WorkflowDeleted");
    }
}
