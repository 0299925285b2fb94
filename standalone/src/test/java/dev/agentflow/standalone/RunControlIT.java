package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.LoopbackServer;
import dev.agentflow.processor.agent.LoopbackServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Run control through the API, on two instances of the system on one real broker (the first also
 * runs the run decider and the agents): idempotent creates and starts (also after both restart),
 * definition versions, and retrying a failed run against agent services on loopback.
 */
@ExtendWith(SharedBroker.class)
class RunControlIT {

    private static final LoopbackServer endpoints = LoopbackServer.start();
    private static final AtomicBoolean recovered = new AtomicBoolean();
    private static final String KEY = "Idempotency-Key";
    private static String prefix;
    private static ConfigurableApplicationContext first;
    private static ConfigurableApplicationContext second;
    private static Http one;
    private static Http two;

    @BeforeAll
    static void start() throws Exception {
        prefix = SharedBroker.topicPrefix("control");
        endpoints.handle("/stage1", r -> Reply.json("{\"output\":\"one(" + r.json().get("input").asString() + ")\"}"));
        endpoints.handle("/stage2", r -> recovered.get()
                ? Reply.json("{\"output\":\"two(" + r.json().get("input").asString() + ")\"}")
                : Reply.status(500, "{\"error\":\"down\"}"));
        startBoth();
    }

    private static void startBoth() throws Exception {
        first = instance("command-api,step-processor", "control-1");
        second = instance("command-api", "control-2");
        one = new Http("http://127.0.0.1:" + first.getEnvironment().getProperty("local.server.port"));
        two = new Http("http://127.0.0.1:" + second.getEnvironment().getProperty("local.server.port"));
    }

    private static ConfigurableApplicationContext instance(String services, String id) throws Exception {
        return ServicesAloneIT.service(services, id, WebApplicationType.SERVLET, SharedBroker.bootstrapServers(),
                "--agentflow.kafka.topic-prefix=" + prefix, "--agentflow.security.rate-limit.writes=0",
                "--agentflow.agents[stage1].type=http", "--agentflow.agents[stage1].url=" + endpoints.url("/stage1"),
                "--agentflow.agents[stage2].type=http", "--agentflow.agents[stage2].url=" + endpoints.url("/stage2"));
    }

    @AfterAll
    static void stop() {
        second.close();
        first.close();
        endpoints.close();
    }

    @Test
    void theSameIdempotencyKeyCreatesAndStartsOnceOnEveryInstanceAndAfterARestart() throws Exception {
        String create = Runs.json(Map.of("name", "once"));
        Http.Response created = one.withHeader(KEY, "\"create-1\"").post("/api/v1/workflows", create);
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        assertThat(created.header("Idempotent-Replayed")).isNull();
        String workflow = created.body().get("id").asString();
        Http.Response again = two.withHeader(KEY, "\"create-1\"").post("/api/v1/workflows", create);
        assertThat(again.status()).as(again.raw().body()).isEqualTo(201);
        assertThat(again.body().get("id").asString()).isEqualTo(workflow);
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        Http.Response otherBody = two.withHeader(KEY, "\"create-1\"").post("/api/v1/workflows",
                Runs.json(Map.of("name", "another")));
        assertThat(otherBody.status()).isEqualTo(422);
        assertThat(otherBody.body().get("errors").get(0).get("field").asString()).isEqualTo(KEY);
        assertThat(one.post("/api/v1/workflows/" + workflow + "/steps", Runs.json(Runs.step("echo", "e"))).status())
                .isEqualTo(201);

        String path = "/api/v1/workflows/" + workflow + "/run";
        String body = Runs.json(Map.of("input", "pay once"));
        Http.Response started = one.withHeader(KEY, "run-1").post(path, body);
        assertThat(started.status()).as(started.raw().body()).isEqualTo(202);
        List<Http.Response> repeats = new ArrayList<>(List.of(one.withHeader(KEY, "run-1").post(path, body),
                two.withHeader(KEY, "\"run-1\"").post(path, body)));
        for (Http.Response repeat : repeats) {
            assertThat(repeat.status()).as(repeat.raw().body()).isEqualTo(202);
            assertThat(repeat.body()).as("the first answer, ids and all").isEqualTo(started.body());
            assertThat(repeat.header("Location")).isEqualTo(started.header("Location"));
            assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
        }
        Http.Response changed = two.withHeader(KEY, "run-1").post(path, Runs.json(Map.of("input", "pay twice")));
        assertThat(changed.status()).isEqualTo(422);
        assertThat(changed.contentType()).startsWith("application/problem+json");
        Http.Response tooLong = one.withHeader(KEY, "k".repeat(256)).post(path, body);
        assertThat(tooLong.status()).isEqualTo(400);
        assertThat(tooLong.body().get("errors").get(0).get("field").asString()).isEqualTo(KEY);
        String runId = started.body().get("runId").asString();
        new Runs(two).awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60));

        // both instances restart, on new local state: the keys are held by the deciders, in Kafka
        second.close();
        first.close();
        startBoth();
        Http.Response afterRestart = two.withHeader(KEY, "run-1").post(path, body);
        assertThat(afterRestart.status()).as(afterRestart.raw().body()).isEqualTo(202);
        assertThat(afterRestart.body()).isEqualTo(started.body());
        assertThat(one.withHeader(KEY, "create-1").post("/api/v1/workflows", create).body().get("id").asString())
                .isEqualTo(workflow);
        assertThat(two.get("/api/v1/workflows/" + workflow + "/runs").body().get("totalElements").asInt())
                .as("one run for four requests").isEqualTo(1);
        assertThat(two.post(path, body).body().get("runId").asString()).as("no key: a new run").isNotEqualTo(runId);
    }

    @Test
    void eachChangeIsAVersionRunsRecordTheirsAndAnEarlierOneCanBeRun() {
        Runs runs = new Runs(one);
        String workflow = runs.workflow("versioned", List.of(Runs.step("template", "A: {{input}}")));
        String stepId = one.get("/api/v1/workflows/" + workflow).body().get("steps").get(0).get("id").asString();
        String onV2 = runs.start(workflow, "x");
        assertThat(one.patch("/api/v1/workflows/" + workflow + "/steps/" + stepId,
                Runs.json(Map.of("action", "B: {{input}}"))).status()).isEqualTo(200);
        String onV3 = runs.start(workflow, "x");
        Http.Response renamed = one.patch("/api/v1/workflows/" + workflow, Runs.json(Map.of("name", "renamed")));
        assertThat(renamed.body().get("definitionVersion").asLong()).isEqualTo(4);
        assertThat(one.patch("/api/v1/workflows/" + workflow, Runs.json(Map.of("name", "renamed"))).body()
                .get("definitionVersion").asLong()).as("a change to the same is no new version").isEqualTo(4);

        Runs onTwo = new Runs(two);
        JsonNode run2 = onTwo.awaitStatus(onV2, "COMPLETED", Duration.ofSeconds(60));
        JsonNode run3 = onTwo.awaitStatus(onV3, "COMPLETED", Duration.ofSeconds(60));
        assertThat(run2.get("definitionVersion").asLong()).isEqualTo(2);
        assertThat(run2.get("output").asString()).isEqualTo("A: x");
        assertThat(run3.get("definitionVersion").asLong()).isEqualTo(3);
        assertThat(run3.get("output").asString()).isEqualTo("B: x");
        JsonNode v2 = two.get("/api/v1/workflows/" + workflow + "/versions/2").body();
        assertThat(v2.get("steps").get(0).get("action").asString()).isEqualTo("A: {{input}}");
        assertThat(v2.get("name").asString()).isEqualTo("versioned");
        assertThat(two.get("/api/v1/workflows/" + workflow + "/versions/3").body().get("steps").get(0).get("action")
                .asString()).isEqualTo("B: {{input}}");
        JsonNode versions = two.get("/api/v1/workflows/" + workflow + "/versions?size=3").body();
        assertThat(versions.get("totalElements").asInt()).isEqualTo(4);
        assertThat(versions.get("content").findValuesAsString("definitionVersion")).containsExactly("4", "3", "2");
        assertThat(versions.get("content").get(0).has("steps")).isFalse();
        assertThat(two.get("/api/v1/workflows/" + workflow + "/versions?size=3&page=1").body().get("content")
                .findValuesAsString("definitionVersion")).containsExactly("1");
        JsonNode list = two.get("/api/v1/workflows/" + workflow + "/runs").body();
        assertThat(list.get("content").findValuesAsString("definitionVersion")).containsExactlyInAnyOrder("2", "3");

        JsonNode onPurpose = runs.startWith(workflow, Runs.json(Map.of("input", "y", "definitionVersion", 2)));
        JsonNode old = onTwo.awaitStatus(onPurpose.get("runId").asString(), "COMPLETED", Duration.ofSeconds(60));
        assertThat(old.get("definitionVersion").asLong()).isEqualTo(2);
        assertThat(old.get("output").asString()).isEqualTo("A: y");

        Http.Response none = one.post("/api/v1/workflows/" + workflow + "/run",
                Runs.json(Map.of("input", "y", "definitionVersion", 99)));
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.body().get("errors").get(0).get("field").asString()).isEqualTo("definitionVersion");
        assertThat(two.get("/api/v1/workflows/" + workflow + "/versions/99").status()).isEqualTo(404);
        assertThat(two.get("/api/v1/workflows/" + workflow + "/versions/x").status()).isEqualTo(404);
        assertThat(two.get("/api/v1/workflows/wf-neverCreatedAtAll00000/versions").status()).isEqualTo(404);
    }

    @Test
    void aFailedRunIsRetriedFromTheStepThatFailedWithoutCallingTheEarlierOnesAgain() {
        Runs runs = new Runs(one);
        String workflow = runs.workflow("retried",
                "{\"agentId\":\"stage1\",\"action\":\"first\"}",
                "{\"agentId\":\"stage2\",\"action\":\"second\",\"config\":{\"maxAttempts\":1}}");
        int stage1Before = endpoints.requests("/stage1").size();
        String runId = runs.start(workflow, "in");
        JsonNode failed = runs.awaitStatus(runId, "FAILED", Duration.ofSeconds(60));
        assertThat(failed.get("currentStepOrder").asInt()).isEqualTo(2);
        assertThat(one.post("/api/v1/workflows/runs/" + runId + "/resume", "{\"output\":\"x\"}").status())
                .isEqualTo(409);

        recovered.set(true);
        Http.Response retried = two.post("/api/v1/workflows/runs/" + runId + "/retry", null);

        assertThat(retried.status()).as(retried.raw().body()).isEqualTo(202);
        assertThat(retried.body().get("runId").asString()).isEqualTo(runId);
        JsonNode done = runs.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60));
        assertThat(done.get("output").asString()).isEqualTo("two(one(in))");
        assertThat(done.get("error").isNull()).isTrue();
        assertThat(done.get("steps").get(1).get("attempts").asInt()).isEqualTo(2);
        assertThat(endpoints.requests("/stage1").size() - stage1Before).as("step 1's agent, called once in all")
                .isEqualTo(1);
        List<String> history = new ArrayList<>();
        one.get("/api/v1/workflows/runs/" + runId + "/events?size=1000").body().get("content")
                .forEach(e -> history.add(e.get("type").asString()));
        assertThat(history).containsSubsequence("StepFailed", "RunFailed", "RunRetried", "StepStarted",
                "StepCompleted", "RunCompleted");
        assertThat(two.post("/api/v1/workflows/runs/" + runId + "/retry", null).status()).as("COMPLETED: 409")
                .isEqualTo(409);
        assertThat(two.post("/api/v1/workflows/runs/wr-neverStartedAtAll00000/retry", null).status()).isEqualTo(404);
    }
}
