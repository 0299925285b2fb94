package dev.agentflow.standalone;

import static dev.agentflow.standalone.Runs.json;
import static dev.agentflow.standalone.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The wire shape the Agent Manager's own clients (its web UI and TypeScript SDK) read, through the
 * real API on a real KRaft broker, beside the reference's shape, which stays as it was.
 */
class AgentManagerClientsIT {

    private static final String WORKFLOWS = "/api/v1/workflows";

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("clients");
    private static final Http http = system.http();
    private static final Runs runs = system.runs();

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.propertyNames().forEach(names::add);
        return names;
    }

    /** Both page shapes are present and agree; nothing else is at the top level. */
    private static JsonNode assertPage(Http.Response response, int number, int size, long total) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(200);
        JsonNode page = response.body();
        assertThat(names(page)).containsExactly("content", "totalElements", "totalPages", "page");
        long totalPages = (total + size - 1) / size;
        assertThat(page.get("totalElements").asLong()).isEqualTo(total);
        assertThat(page.get("totalPages").asLong()).isEqualTo(totalPages);
        JsonNode envelope = page.get("page");
        assertThat(names(envelope)).containsExactly("size", "number", "totalElements", "totalPages");
        assertThat(envelope.get("size").asInt()).isEqualTo(size);
        assertThat(envelope.get("number").asInt()).isEqualTo(number);
        assertThat(envelope.get("totalElements")).isEqualTo(page.get("totalElements"));
        assertThat(envelope.get("totalPages")).isEqualTo(page.get("totalPages"));
        return page;
    }

    @Test
    void everyPagedAnswerCarriesSpringDatasPageEnvelopeBesideTheReferenceFields() {
        String wf = runs.workflow("paged", List.of(step("echo", "e")));
        String run = runs.start(wf, "x");
        runs.awaitEnd(run, Duration.ofSeconds(60));
        runs.start(wf, "y");

        long workflows = http.get(WORKFLOWS + "?size=1000").body().get("totalElements").asLong();
        assertThat(workflows).isPositive();
        JsonNode list = assertPage(http.get(WORKFLOWS + "?page=0&size=1"), 0, 1, workflows);
        assertThat(list.get("content")).hasSize(1);
        assertPage(http.get(WORKFLOWS), 0, 20, workflows);

        JsonNode history = assertPage(http.get(WORKFLOWS + "/" + wf + "/runs?page=1&size=1"), 1, 1, 2);
        assertThat(history.get("content").get(0).get("id").asString()).isEqualTo(run);
        assertPage(http.get(WORKFLOWS + "/runs/" + run + "/events?page=0&size=2"), 0, 2,
                http.get(WORKFLOWS + "/runs/" + run + "/events?size=1000").body().get("totalElements").asLong());
        // WorkflowCreated and StepAdded: the runs are histories of their own
        assertPage(http.get(WORKFLOWS + "/" + wf + "/events?size=1"), 0, 1, 2);
        Http.Response inbox = http.get(WORKFLOWS + "/runs?status=COMPLETED&size=1000");
        assertPage(inbox, 0, 1000, inbox.body().get("totalElements").asLong());
    }

    @Test
    void runsCarryLastStepOrderAndWorkflowsTheirStepCount() {
        String wf = runs.workflow("two steps", List.of(step("echo", "e"), step("template", "[{{input}}]")));
        JsonNode one = http.get(WORKFLOWS + "/" + wf).body();
        assertThat(one.get("stepCount").asInt()).isEqualTo(2);
        assertThat(one.get("steps")).hasSize(2);
        JsonNode listed = http.get(WORKFLOWS + "?size=1000").body().get("content");
        JsonNode summary = null;
        for (JsonNode w : listed) {
            if (w.get("id").asString().equals(wf)) {
                summary = w;
            }
        }
        assertThat(summary).isNotNull();
        assertThat(summary.get("stepCount").asInt()).isEqualTo(2);
        assertThat(http.patch(WORKFLOWS + "/" + wf, "{\"name\":\"renamed\"}").body().get("stepCount").asInt())
                .isEqualTo(2);

        String run = runs.start(wf, "in");
        JsonNode detail = runs.awaitEnd(run, Duration.ofSeconds(60));
        assertThat(detail.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(detail.get("output").asString()).isEqualTo("[in]");
        assertThat(detail.get("lastStepOrder").asInt()).isEqualTo(2);
        assertThat(detail.get("currentStepOrder").asInt()).isEqualTo(2);
        JsonNode inList = http.get(WORKFLOWS + "/" + wf + "/runs").body().get("content").get(0);
        assertThat(names(inList)).containsExactly("id", "workflowId", "sessionId", "status", "currentStepOrder",
                "lastStepOrder", "durationMs", "createdAt", "updatedAt", "definitionVersion");
        assertThat(inList.get("lastStepOrder").asInt()).isEqualTo(2);
        assertThat(inList.get("durationMs").asLong()).isNotNegative();
    }

    @Test
    void deleteOfARunCancelsIt() {
        String wf = runs.workflow("to cancel", List.of(step("human_approval", "check it")));
        String run = runs.start(wf, "draft");
        Awaitility.await("paused").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> http.get(WORKFLOWS + "/runs/" + run).body().get("status").asString(), "PAUSED"::equals);

        Http.Response deleted = http.delete(WORKFLOWS + "/runs/" + run);
        assertThat(deleted.status()).as(deleted.raw().body()).isEqualTo(204);
        assertThat(deleted.raw().body()).isEmpty();
        JsonNode after = http.get(WORKFLOWS + "/runs/" + run).body();
        assertThat(after.get("status").asString()).isEqualTo("CANCELLED");
        JsonNode events = http.get(WORKFLOWS + "/runs/" + run + "/events?size=100").body().get("content");
        assertThat(events.findValuesAsString("type")).endsWith("RunCancelled")
                .filteredOn("RunCancelled"::equals).hasSize(1);

        Http.Response again = http.delete(WORKFLOWS + "/runs/" + run);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).isEqualTo("application/problem+json");
        assertThat(again.body().get("detail").asString()).contains("CANCELLED");
        Http.Response unknown = http.delete(WORKFLOWS + "/runs/wr-doesNotExist");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).isEqualTo("application/problem+json");
        assertThat(http.delete(WORKFLOWS + "/runs/not%20an%20id").status()).isEqualTo(404);

        String done = runs.start(runs.workflow("finished", List.of(step("echo", "e"))), "x");
        runs.awaitEnd(done, Duration.ofSeconds(60));
        assertThat(http.delete(WORKFLOWS + "/runs/" + done).status()).isEqualTo(409);
        assertThat(http.get(WORKFLOWS + "/runs/" + done).body().get("status").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void patchOfAStepMovesItAndChangesItsFields() {
        String wf = runs.workflow("patch steps", List.of(step("echo", "first"), step("echo", "second"),
                step("echo", "third")));
        JsonNode steps = http.get(WORKFLOWS + "/" + wf + "/steps").body();
        String first = steps.get(0).get("id").asString();
        String third = steps.get(2).get("id").asString();

        Http.Response moved = http.patch(WORKFLOWS + "/" + wf + "/steps/" + third, "{\"stepOrder\":1}");
        assertThat(moved.status()).as(moved.raw().body()).isEqualTo(200);
        assertThat(moved.body().get("id").asString()).isEqualTo(third);
        assertThat(moved.body().get("stepOrder").asInt()).isEqualTo(1);
        JsonNode after = http.get(WORKFLOWS + "/" + wf + "/steps").body();
        assertThat(after.findValuesAsString("action")).containsExactly("third", "first", "second");
        assertThat(after.findValues("stepOrder").stream().map(JsonNode::asInt).toList()).containsExactly(1, 2, 3);

        Http.Response changed = http.patch(WORKFLOWS + "/" + wf + "/steps/" + first,
                "{\"agentId\":\"template\",\"action\":\"<{{input}}>\",\"config\":{\"maxAttempts\":1},\"stepOrder\":3}");
        assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
        assertThat(changed.body()).isEqualTo(Json.mapper().readTree(json(Map.of("id", first, "agentId", "template",
                "action", "<{{input}}>", "stepOrder", 3, "config", Map.of("maxAttempts", 1)))));
        assertThat(http.get(WORKFLOWS + "/" + wf + "/steps/" + first).body()).isEqualTo(changed.body());
        assertThat(http.get(WORKFLOWS + "/" + wf + "/steps").body().findValuesAsString("action"))
                .containsExactly("third", "second", "<{{input}}>");
        assertThat(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{}").body()).isEqualTo(changed.body());
        assertThat(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{\"stepOrder\":0}").body().get("stepOrder")
                .asInt()).as("0 leaves the step where it is").isEqualTo(3);

        JsonNode run = runs.awaitEnd(runs.start(wf, "in"), Duration.ofSeconds(60));
        assertThat(run.get("output").asString()).isEqualTo("<in>");

        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/step-unknown", "{\"stepOrder\":1}"), 404, "stepId");
        assertProblem(http.patch(WORKFLOWS + "/wf-unknown/steps/" + first, "{\"stepOrder\":1}"), 404, "workflowId");
        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{\"stepOrder\":4}"), 422, "stepOrder");
        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{\"stepOrder\":-1}"), 400, "stepOrder");
        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{\"stepOrder\":\"1\"}"), 400, "stepOrder");
        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{\"agentId\":\"nobody\"}"), 422, "agentId");
        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{\"agentId\":\" \"}"), 400, "agentId");
        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "{\"config\":[1]}"), 400, "config");
        assertProblem(http.patch(WORKFLOWS + "/" + wf + "/steps/" + first, "[]"), 400, "body");
        assertThat(http.get(WORKFLOWS + "/" + wf + "/steps/" + first).body()).isEqualTo(changed.body());

        JsonNode events = http.get(WORKFLOWS + "/" + wf + "/events?size=100").body().get("content");
        assertThat(events.findValuesAsString("type")).filteredOn("StepUpdated"::equals).hasSize(4);
    }

    @Test
    void aStepNeedsNoActionAndOrderZeroAppends() {
        String wf = runs.workflow("no actions", List.of(step("echo", "first")));
        Http.Response sdk = http.post(WORKFLOWS + "/" + wf + "/steps", "{\"stepOrder\":0,\"agentId\":\"template\"}");
        assertThat(sdk.status()).as(sdk.raw().body()).isEqualTo(201);
        assertThat(sdk.body().get("action").asString()).isEmpty();
        assertThat(sdk.body().get("stepOrder").asInt()).isEqualTo(2);
        Http.Response blank = http.post(WORKFLOWS + "/" + wf + "/steps", "{\"agentId\":\"echo\",\"action\":\"  \"}");
        assertThat(blank.status()).as(blank.raw().body()).isEqualTo(201);
        assertThat(blank.body().get("action").asString()).isEmpty();
        assertThat(blank.body().get("stepOrder").asInt()).isEqualTo(3);

        JsonNode run = runs.awaitEnd(runs.start(wf, "passed along"), Duration.ofSeconds(60));
        assertThat(run.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(run.get("output").asString()).isEqualTo("passed along");
        assertProblem(http.post(WORKFLOWS + "/" + wf + "/steps", "{\"agentId\":\"echo\",\"action\":7}"), 400, "action");
    }

    @Test
    void theAgentPickerReadsAgentsAtApiAgentsWithAgentId() {
        Http.Response v1 = http.get("/api/v1/agents");
        Http.Response picker = http.get("/api/agents?includeInactive=false");
        assertThat(picker.status()).isEqualTo(200);
        assertThat(picker.body()).isEqualTo(v1.body());
        assertThat(picker.body().findValuesAsString("agentId")).contains("echo", "template", "delay", "human_approval")
                .isEqualTo(picker.body().findValuesAsString("id"));
        for (JsonNode agent : picker.body()) {
            assertThat(agent.get("name").asString()).isNotBlank();
        }
        assertThat(http.get("/api/agents/echo").body().get("agentId").asString()).isEqualTo("echo");
        assertProblem(http.get("/api/agents/nobody"), 404, "agentId");
    }

    @Test
    void problemsNameEachFieldUnderInvalidParamsToo() {
        Http.Response bad = http.post(WORKFLOWS, "{\"name\":42,\"description\":[]}");
        assertProblem(bad, 400, "name");
        assertThat(bad.body().get("invalidParams")).isEqualTo(bad.body().get("errors"));
        assertThat(bad.body().get("invalidParams").findValuesAsString("field")).containsExactly("name", "description");

        String wf = runs.workflow("unprocessable", List.of());
        Http.Response empty = http.post(WORKFLOWS + "/" + wf + "/run", "{\"input\":\"x\"}");
        assertProblem(empty, 422, "steps");
        assertThat(empty.body().get("invalidParams")).isEqualTo(empty.body().get("errors"));
    }

    @Test
    void anAuthorizationHeaderIsIgnoredWhileSecurityIsOff() {
        Http bearer = http.withHeader("Authorization", "Bearer not-a-token-this-server-knows");
        Http.Response created = bearer.post(WORKFLOWS, "{\"name\":\"with a bearer\"}");
        assertThat(created.status()).isEqualTo(201);
        String wf = created.body().get("id").asString();
        assertThat(bearer.get(WORKFLOWS).status()).isEqualTo(200);
        assertThat(bearer.get(WORKFLOWS + "/" + wf).status()).isEqualTo(200);
        assertThat(bearer.get("/api/agents").status()).isEqualTo(200);
        assertThat(bearer.post(WORKFLOWS + "/" + wf + "/steps", "{\"agentId\":\"echo\"}").status()).isEqualTo(201);
        assertThat(bearer.get(WORKFLOWS + "/wf-unknown").status()).isEqualTo(404);
        Http basic = http.withHeader("Authorization", "Basic Zm9vOmJhcg==");
        assertThat(basic.delete(WORKFLOWS + "/" + wf).status()).isEqualTo(204);
    }

    private static void assertProblem(Http.Response response, int status, String field) {
        assertThat(response.status()).as(response.raw().body()).isEqualTo(status);
        assertThat(response.contentType()).isEqualTo("application/problem+json");
        assertThat(response.body().get("errors").findValuesAsString("field")).contains(field);
        assertThat(response.body().get("invalidParams")).isEqualTo(response.body().get("errors"));
    }
}
