package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** Runs through the real HTTP API on a real KRaft broker: execution, pause/resume, cancel, errors. */
class RunsApiIT {

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("runs");
    private static final Http http = system.http();
    private static final Runs flows = system.runs();

    @Test
    void threeStepRunCompletesFeedingEachOutputToTheNextStep() {
        String wf = flows.workflow("runs",
                "{\"agentId\":\"template\",\"action\":\"Search results for {{input}}\",\"stepOrder\":1}",
                "{\"agentId\":\"template\",\"action\":\"3 bullet points of: {{input}}\",\"stepOrder\":2}",
                "{\"agentId\":\"template\",\"action\":\"Newsletter: {{input}}\",\"stepOrder\":3}");

        long before = System.currentTimeMillis();
        JsonNode accepted = flows.startWith(wf, "{\"input\":\"artificial intelligence in healthcare 2025\","
                + "\"sessionId\":\"session-news-001\"}");
        assertThat(accepted.get("jobId").asString()).startsWith("job-");
        assertThat(accepted.get("workflowId").asString()).isEqualTo(wf);
        assertThat(accepted.get("sessionId").asString()).isEqualTo("session-news-001");
        String runId = accepted.get("runId").asString();
        assertThat(http.get("/api/v1/workflows/runs/" + runId).status()).as("readable at once").isEqualTo(200);

        JsonNode done = flows.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60));
        long elapsed = System.currentTimeMillis() - before;
        assertThat(done.get("currentStepOrder").asInt()).isEqualTo(3);
        assertThat(done.get("output").asString()).isEqualTo(
                "Newsletter: 3 bullet points of: Search results for artificial intelligence in healthcare 2025");
        // three steps, each a Kafka round trip, all within what this test waited
        assertThat(done.get("durationMs").asLong()).isPositive().isLessThanOrEqualTo(elapsed);
        JsonNode steps = done.get("steps");
        assertThat(steps).hasSize(3);
        assertThat(steps.get(1).get("input").asString()).isEqualTo(steps.get(0).get("output").asString());
        assertThat(steps.get(2).get("input").asString()).isEqualTo(steps.get(1).get("output").asString());
        for (JsonNode step : steps) {
            assertThat(step.get("status").asString()).isEqualTo("COMPLETED");
            assertThat(step.get("attempts").asInt()).isEqualTo(1);
            assertThat(step.has("startedAt") && step.has("finishedAt") && step.has("agentId")
                    && step.has("action") && step.has("error")).isTrue();
        }

        JsonNode list = http.get("/api/v1/workflows/" + wf + "/runs?page=0&size=20").body();
        assertThat(list.get("totalElements").asInt()).isEqualTo(1);
        JsonNode summary = list.get("content").get(0);
        Set<String> fields = new HashSet<>(summary.propertyNames());
        // the reference's fields, lastStepOrder for the Agent Manager's own clients, and the definition's version
        assertThat(fields).containsExactlyInAnyOrder("id", "workflowId", "sessionId", "status", "currentStepOrder",
                "lastStepOrder", "durationMs", "createdAt", "updatedAt", "definitionVersion");
        assertThat(summary.get("definitionVersion").asLong()).isEqualTo(4); // created, then three steps added
        assertThat(summary.get("lastStepOrder")).isEqualTo(summary.get("currentStepOrder"));
    }

    @Test
    void listsFilterAsTheConsoleAsks() {
        String name = "Needle " + System.nanoTime();
        String wf = flows.workflow(name, "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}");
        String other = flows.workflow("haystack", "{\"agentId\":\"echo\"}");
        String paused = flows.start(wf, "a");
        flows.awaitStatus(paused, "PAUSED", Duration.ofSeconds(30));
        String completed = flows.start(other, "b");
        flows.awaitStatus(completed, "COMPLETED", Duration.ofSeconds(30));

        // workflows whose name or description contains q, ignoring case
        JsonNode found = http.get("/api/v1/workflows?q=" + name.toLowerCase().replace(' ', '+')).body();
        assertThat(found.get("totalElements").asInt()).isEqualTo(1);
        assertThat(found.get("content").get(0).get("id").asString()).isEqualTo(wf);
        assertThat(http.get("/api/v1/workflows?q=" + "x".repeat(201)).status()).isEqualTo(400);
        // every workflow's runs, newest first on request (oldest first stays the default: the inbox)
        JsonNode newest = http.get("/api/v1/workflows/runs?order=newest&size=2").body();
        assertThat(newest.get("content").get(0).get("id").asString()).isEqualTo(completed);
        assertThat(newest.get("content").get(1).get("id").asString()).isEqualTo(paused);
        assertThat(http.get("/api/v1/workflows/runs?order=sideways").status()).isEqualTo(400);
        // one workflow's runs in a status
        assertThat(http.get("/api/v1/workflows/" + wf + "/runs?status=PAUSED").body().get("totalElements").asInt())
                .isEqualTo(1);
        assertThat(http.get("/api/v1/workflows/" + wf + "/runs?status=COMPLETED").body().get("totalElements").asInt())
                .isZero();
        assertThat(http.get("/api/v1/workflows/" + wf + "/runs?status=LOST").status()).isEqualTo(400);
        // a cancel may say why (the console's reject): at most 2000 characters, kept in the event and the detail
        assertThat(http.post("/api/v1/workflows/runs/" + paused + "/cancel",
                "{\"reason\":\"" + "x".repeat(2001) + "\"}").status()).isEqualTo(400);
        assertThat(http.post("/api/v1/workflows/runs/" + paused + "/cancel", "{\"reason\":\"not this week\"}").status())
                .isEqualTo(202);
        JsonNode cancelled = flows.awaitStatus(paused, "CANCELLED", Duration.ofSeconds(30));
        assertThat(cancelled.get("cancelReason").asString()).isEqualTo("not this week");
        JsonNode events = http.get("/api/v1/workflows/runs/" + paused + "/events").body().get("content");
        assertThat(events.get(events.size() - 1).get("data").get("reason").asString()).isEqualTo("not this week");
        assertThat(http.get("/api/v1/workflows/" + wf + "/runs?status=PAUSED").body().get("totalElements").asInt())
                .isZero();
        assertThat(http.get("/api/v1/workflows/" + wf + "/runs?status=CANCELLED").body().get("content").get(0)
                .get("id").asString()).isEqualTo(paused);
    }

    @Test
    void humanInTheLoopPausesAndResumesWithTheApprovedOutput() {
        String wf = flows.workflow("runs", "{\"agentId\":\"template\",\"action\":\"Summary: {{input}}\"}",
                "{\"agentId\":\"human_approval\",\"action\":\"Approve the summary\"}",
                "{\"agentId\":\"template\",\"action\":\"{{input}}\"}");
        String runId = flows.startWith(wf, "{\"input\":\"AI news\"}").get("runId").asString();

        JsonNode paused = flows.awaitStatus(runId, "PAUSED", Duration.ofSeconds(60));
        assertThat(paused.get("currentStepOrder").asInt()).isEqualTo(2);
        assertThat(paused.get("pendingApproval").get("proposedOutput").asString()).isEqualTo("Summary: AI news");
        assertThat(paused.get("pendingApproval").get("reason").asString()).isEqualTo("Approve the summary");
        assertThat(http.get("/api/v1/workflows/runs?status=PAUSED&size=1000").body().get("content")
                .findValuesAsString("id")).contains(runId);

        String approved = "Approved summary: AI is transforming diagnostics and drug discovery.";
        Http.Response resumed = http.post("/api/v1/workflows/runs/" + runId + "/resume",
                "{\"output\":\"" + approved + "\"}");
        assertThat(resumed.status()).isEqualTo(202);
        assertThat(resumed.body().get("runId").asString()).isEqualTo(runId);
        assertThat(resumed.body().get("jobId").asString()).startsWith("job-");

        JsonNode done = flows.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60));
        assertThat(done.get("steps").get(2).get("input").asString()).isEqualTo(approved);
        assertThat(done.get("output").asString()).isEqualTo(approved);
        assertThat(done.get("steps").get(1).get("output").asString()).isEqualTo(approved);
        assertThat(http.get("/api/v1/workflows/runs?status=PAUSED&size=1000").body().get("content")
                .findValuesAsString("id")).doesNotContain(runId);
        assertThat(http.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"x\"}").status())
                .isEqualTo(409);
    }

    @Test
    void cancelWhilePausedAndConflictsAfterwards() {
        String wf = flows.workflow("runs", "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}");
        String runId = flows.startWith(wf, "{\"input\":\"x\"}").get("runId").asString();
        flows.awaitStatus(runId, "PAUSED", Duration.ofSeconds(60));

        assertThat(http.post("/api/v1/workflows/runs/" + runId + "/cancel", null).status()).isEqualTo(202);
        assertThat(http.get("/api/v1/workflows/runs/" + runId).body().get("status").asString()).isEqualTo("CANCELLED");
        assertThat(http.post("/api/v1/workflows/runs/" + runId + "/cancel", null).status()).isEqualTo(409);
        assertThat(http.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"x\"}").status())
                .isEqualTo(409);
    }

    @Test
    void aRunExecutesTheSnapshotItStartedWith() {
        String wf = flows.workflow("runs", "{\"agentId\":\"delay\",\"action\":\"wait\",\"config\":{\"delayMs\":1500}}",
                "{\"agentId\":\"template\",\"action\":\"original {{input}}\"}");
        String runId = flows.startWith(wf, "{\"input\":\"in\"}").get("runId").asString();
        String secondStep = http.get("/api/v1/workflows/" + wf + "/steps").body().get(1).get("id").asString();
        http.delete("/api/v1/workflows/" + wf + "/steps/" + secondStep);
        http.post("/api/v1/workflows/" + wf + "/steps", "{\"agentId\":\"template\",\"action\":\"edited {{input}}\"}");
        assertThat(http.delete("/api/v1/workflows/" + wf).status()).isEqualTo(204);

        assertThat(flows.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60)).get("output").asString())
                .isEqualTo("original in");
    }

    @Test
    void timeoutsAreRetriedThenTheRunFailsWithTheError() {
        String wf = flows.workflow("runs", "{\"agentId\":\"delay\",\"action\":\"slow\",\"config\":{\"delayMs\":3000,"
                + "\"timeoutMs\":300,\"maxAttempts\":2,\"retryBackoffMs\":50}}");
        String runId = flows.startWith(wf, "{\"input\":\"x\"}").get("runId").asString();

        JsonNode failed = flows.awaitStatus(runId, "FAILED", Duration.ofSeconds(60));
        assertThat(failed.get("error").asString()).contains("timed out after 300 ms").contains("2 attempt");
        assertThat(failed.get("steps").get(0).get("attempts").asInt()).isEqualTo(2);
        assertThat(failed.get("steps").get(0).get("status").asString()).isEqualTo("FAILED");
    }

    @Test
    void badRunRequestsAreProblemsAndStartNothing() {
        String empty = flows.workflow("runs");
        String wf = flows.workflow("runs", "{\"agentId\":\"echo\",\"action\":\"x\"}");
        long runsBefore = http.get("/api/v1/workflows/runs?size=1").body().get("totalElements").asLong();

        assertThat(http.post("/api/v1/workflows/wf-nope0000000000000000/run", "{\"input\":\"x\"}").status())
                .isEqualTo(404);
        assertThat(http.post("/api/v1/workflows/" + empty + "/run", "{\"input\":\"x\"}").status()).isEqualTo(422);
        assertThat(http.post("/api/v1/workflows/" + wf + "/run", "{}").status()).isEqualTo(400);
        assertThat(http.post("/api/v1/workflows/" + wf + "/run", "{\"input\":5}").status()).isEqualTo(400);
        assertThat(http.post("/api/v1/workflows/" + wf + "/run", "{\"input\":\"x\",\"sessionId\":\"a b\"}").status())
                .isEqualTo(400);
        assertThat(http.post("/api/v1/workflows/runs/wr-nope000000000000000/resume", "{\"output\":\"x\"}").status())
                .isEqualTo(404);
        assertThat(http.post("/api/v1/workflows/runs/wr-nope000000000000000/cancel", null).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/workflows/runs/wr-nope000000000000000").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/workflows/runs?status=SLEEPING").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/workflows/wf-nope0000000000000000/runs").status()).isEqualTo(404);
        assertThat(http.post("/api/v1/workflows/" + wf + "/steps", "{\"agentId\":\"no_such_agent\",\"action\":\"x\"}")
                .status()).isEqualTo(422);

        String paused = flows.startWith(flows.workflow("runs", "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}"),
                "{\"input\":\"x\"}")
                .get("runId").asString();
        flows.awaitStatus(paused, "PAUSED", Duration.ofSeconds(60));
        Http.Response noOutput = http.post("/api/v1/workflows/runs/" + paused + "/resume", "{}");
        assertThat(noOutput.status()).isEqualTo(400);
        assertThat(noOutput.body().get("errors").findValuesAsString("field")).contains("output");
        assertThat(http.get("/api/v1/workflows/runs?size=1").body().get("totalElements").asLong())
                .isEqualTo(runsBefore + 1);
    }

    @Test
    void agentsAreListed() {
        JsonNode agents = http.get("/api/v1/agents").body();
        List<String> ids = agents.findValuesAsString("id");
        assertThat(ids).contains("echo", "template", "delay", "human_approval");
        assertThat(http.get("/api/v1/agents/echo").body().get("type").asString()).isEqualTo("builtin");
        assertThat(http.get("/api/v1/agents/nope").status()).isEqualTo(404);
    }
}
