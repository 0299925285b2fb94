package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;

/** Workflows and runs through the HTTP API, for the integration tests that need many. */
final class Runs {

    private final Http http;

    Runs(Http http) {
        this.http = http;
    }

    /** A workflow of these steps, each given as (agentId, action). */
    String workflow(String name, List<Map<String, Object>> steps) {
        Http.Response created = http.post("/api/v1/workflows", json(Map.of("name", name)));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        String id = created.body().get("id").asString();
        for (Map<String, Object> step : steps) {
            Http.Response added = http.post("/api/v1/workflows/" + id + "/steps", json(step));
            assertThat(added.status()).as(added.raw().body()).isEqualTo(201);
        }
        return id;
    }

    /** A workflow named {@code name} of these steps, each the JSON body of {@code POST …/steps}. */
    String workflow(String name, String... stepBodies) {
        Http.Response created = http.post("/api/v1/workflows", json(Map.of("name", name)));
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        String id = created.body().get("id").asString();
        for (String step : stepBodies) {
            Http.Response added = http.post("/api/v1/workflows/" + id + "/steps", step);
            assertThat(added.status()).as(step + ": " + added.raw().body()).isEqualTo(201);
        }
        return id;
    }

    static Map<String, Object> step(String agentId, String action) {
        return Map.of("agentId", agentId, "action", action);
    }

    /** Starts a run (202) and returns its id. */
    String start(String workflowId, String input) {
        Http.Response r = http.post("/api/v1/workflows/" + workflowId + "/run", json(Map.of("input", input)));
        assertThat(r.status()).as(r.raw().body()).isEqualTo(202);
        return r.body().get("runId").asString();
    }

    /** Starts a run with this JSON body (202) and returns the answer ({@code runId}, {@code jobId}, ...). */
    JsonNode startWith(String workflowId, String body) {
        Http.Response r = http.post("/api/v1/workflows/" + workflowId + "/run", body);
        assertThat(r.status()).as(r.raw().body()).isEqualTo(202);
        return r.body();
    }

    /** The run's detail once its status is {@code status}. */
    JsonNode awaitStatus(String runId, String status, Duration within) {
        return Awaitility.await("run " + runId + " " + status).atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> http.get("/api/v1/workflows/runs/" + runId).body(),
                        r -> r != null && status.equals(r.path("status").asString()));
    }

    /** The run's detail once it has finished. */
    JsonNode awaitEnd(String runId, Duration within) {
        return Awaitility.await("run " + runId + " finished").atMost(within).pollInterval(Duration.ofMillis(100))
                .until(() -> http.get("/api/v1/workflows/runs/" + runId).body(),
                        r -> r != null && r.path("status").isString()
                                && RunStatus.valueOf(r.path("status").asString()).isFinal());
    }

    /** A small run that must complete: the engine still works. */
    void normalRunCompletes(String label) {
        String wf = workflow("normal after " + label, List.of(step("template", "done: {{input}}")));
        JsonNode done = awaitEnd(start(wf, label), Duration.ofSeconds(60));
        assertThat(done.path("status").asString()).as("a normal run after " + label).isEqualTo("COMPLETED");
        assertThat(done.path("output").asString()).isEqualTo("done: " + label);
    }

    /** The whole text of a payload the detail links to, or the detail's text when it is inline. */
    String whole(JsonNode detail, String field) {
        JsonNode href = detail.path(field + "Href");
        return href.isString() ? http.text(href.asString()) : detail.path(field).asString();
    }

    static String json(Object value) {
        return Json.mapper().writeValueAsString(value);
    }
}
