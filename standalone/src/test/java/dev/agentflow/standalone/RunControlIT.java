package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.LoopbackServer;
import dev.agentflow.processor.agent.LoopbackServer.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
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
    private static final List<Long> limitedCalls = new java.util.concurrent.CopyOnWriteArrayList<>();
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
        endpoints.handle("/stage3", r -> Reply.json("{\"output\":\"" + r.json().get("action").asString() + "("
                + r.json().get("input").asString() + ")\"}"));
        endpoints.handle("/limited", r -> {
            limitedCalls.add(System.nanoTime());
            return Reply.json("{\"output\":\"ok\"}");
        });
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
                "--agentflow.agents[stage2].type=http", "--agentflow.agents[stage2].url=" + endpoints.url("/stage2"),
                "--agentflow.agents[stage3].type=http", "--agentflow.agents[stage3].url=" + endpoints.url("/stage3"),
                "--agentflow.agents[limited].type=http", "--agentflow.agents[limited].url=" + endpoints.url("/limited"),
                "--agentflow.agents[limited].rate-limit=10/1s",
                "--agentflow.agents[writer].type=openai", "--agentflow.agents[writer].model=m",
                "--agentflow.agents[writer].api-key=sk-it", "--agentflow.agents[writer].base-url="
                        + endpoints.url("/writer/v1"));
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
        // a byte beyond ASCII (the JDK's client would send '?'): refused by Spring Security's firewall, as a 400
        String notAscii = rawPost(one, path, KEY + ": cl\u00e9", body);
        assertThat(notAscii).startsWith("HTTP/1.1 400").contains("application/problem+json")
                .contains("\"field\":\"" + KEY + "\"");
        String runId = started.body().get("runId").asString();
        new Runs(two).awaitStatus(runId, "COMPLETED", Duration.ofSeconds(60));
        // the claimed start was written in a transaction: its partition of run-commands may end in a commit
        // marker, and a run that does not exist there is still answered 404 at once, not 503
        String absent = absentRunIn(partitionOf(runId));
        long asked = System.nanoTime();
        assertThat(one.get("/api/v1/workflows/runs/" + absent).status()).isEqualTo(404);
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));

        // both instances restart, on new local state: the keys are held by the deciders, in Kafka
        second.close();
        first.close();
        startBoth();
        Http.Response afterRestart = two.withHeader(KEY, "run-1").post(path, body);
        assertThat(afterRestart.status()).as(afterRestart.raw().body()).isEqualTo(202);
        assertThat(afterRestart.body()).isEqualTo(started.body());
        assertThat(one.withHeader(KEY, "create-1").post("/api/v1/workflows", create).body().get("id").asString())
                .isEqualTo(workflow);
        // the restarted instances rebuild their views from the event topics: lists are partial until then
        Awaitility.await("one run for four requests").atMost(Duration.ofSeconds(30))
                .until(() -> two.get("/api/v1/workflows/" + workflow + "/runs").body().get("totalElements").asInt(),
                        total -> total == 1);
        assertThat(two.post(path, body).body().get("runId").asString()).as("no key: a new run").isNotEqualTo(runId);
    }

    /** The whole answer to a POST sent byte by byte, {@code header} in ISO-8859-1 as written. */
    private static String rawPost(Http http, String path, String header, String body) throws Exception {
        java.net.URI base = java.net.URI.create(http.base());
        byte[] content = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n" + header
                    + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(content);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private static int partitionOf(String key) {
        return org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                key.getBytes(java.nio.charset.StandardCharsets.UTF_8), 3);
    }

    /** A run id that was never started, whose records would go to {@code partition} of run-commands. */
    private static String absentRunIn(int partition) {
        for (int i = 0; ; i++) {
            String id = "wr-neverStartedAtAll" + String.format("%05d", i);
            if (partitionOf(id) == partition) {
                return id;
            }
        }
    }

    @Test
    void aForkTakesOverTheEarlierOutputsAndRunsOnlyFromItsStepOnAChangedDefinition() {
        Runs runs = new Runs(one);
        String workflow = runs.workflow("forked",
                "{\"agentId\":\"stage1\",\"action\":\"first\"}",
                "{\"agentId\":\"stage1\",\"action\":\"second\"}",
                "{\"agentId\":\"stage3\",\"action\":\"draft\"}");
        String source = runs.start(workflow, "in");
        JsonNode done = runs.awaitStatus(source, "COMPLETED", Duration.ofSeconds(60));
        assertThat(done.get("output").asString()).isEqualTo("draft(one(one(in)))");
        String step3 = one.get("/api/v1/workflows/" + workflow).body().get("steps").get(2).get("id").asString();
        Http.Response changed = one.patch("/api/v1/workflows/" + workflow + "/steps/" + step3,
                Runs.json(Map.of("action", "polish")));
        assertThat(changed.status()).isEqualTo(200);
        long newVersion = one.get("/api/v1/workflows/" + workflow).body().get("definitionVersion").asLong();
        int stage1Before = endpoints.requests("/stage1").size();
        int stage3Before = endpoints.requests("/stage3").size();

        Http.Response forked = two.post("/api/v1/workflows/runs/" + source + "/fork",
                Runs.json(Map.of("fromStep", 3, "definitionVersion", newVersion)));

        assertThat(forked.status()).as(forked.raw().body()).isEqualTo(202);
        String fork = forked.body().get("runId").asString();
        assertThat(fork).isNotEqualTo(source);
        assertThat(forked.body().get("workflowId").asString()).isEqualTo(workflow);
        JsonNode result = new Runs(two).awaitStatus(fork, "COMPLETED", Duration.ofSeconds(60));
        assertThat(result.get("output").asString()).isEqualTo("polish(one(one(in)))");
        assertThat(result.get("definitionVersion").asLong()).isEqualTo(newVersion);
        assertThat(result.get("forkedFrom").get("runId").asString()).isEqualTo(source);
        assertThat(result.get("forkedFrom").get("fromStep").asInt()).isEqualTo(3);
        JsonNode steps = result.get("steps");
        for (int i = 0; i < 2; i++) {
            assertThat(steps.get(i).get("status").asString()).isEqualTo("COMPLETED");
            assertThat(steps.get(i).get("reusedFrom").asString()).isEqualTo(source);
            assertThat(steps.get(i).get("output").asString()).isEqualTo(done.get("steps").get(i).get("output")
                    .asString());
        }
        assertThat(steps.get(2).has("reusedFrom")).isFalse();
        assertThat(endpoints.requests("/stage1").size()).as("no call for the steps taken over")
                .isEqualTo(stage1Before);
        assertThat(endpoints.requests("/stage3").size() - stage3Before).as("step 3 called once").isEqualTo(1);
        assertThat(one.get("/api/v1/workflows/runs/" + source).body().get("forks")).hasSize(1)
                .first().extracting(JsonNode::asString).isEqualTo(fork);
        List<String> history = new ArrayList<>();
        two.get("/api/v1/workflows/runs/" + fork + "/events").body().get("content")
                .forEach(e -> history.add(e.get("type").asString()));
        assertThat(history).startsWith("RunStarted", "StepReused", "StepReused", "StepStarted");

        // a new input for the step forked from; and what cannot be forked
        Http.Response withInput = one.post("/api/v1/workflows/runs/" + source + "/fork",
                Runs.json(Map.of("fromStep", 2, "input", "other")));
        assertThat(withInput.status()).isEqualTo(202);
        JsonNode other = runs.awaitStatus(withInput.body().get("runId").asString(), "COMPLETED", Duration.ofSeconds(60));
        assertThat(other.get("output").asString()).as("the source's version").isEqualTo("draft(one(other))");
        assertThat(other.get("steps").get(1).get("input").asString()).isEqualTo("other");
        assertThat(one.post("/api/v1/workflows/runs/" + source + "/fork", Runs.json(Map.of("fromStep", 4))).status())
                .isEqualTo(422);
        assertThat(one.post("/api/v1/workflows/runs/" + source + "/fork", "{}").status()).isEqualTo(400);
        assertThat(one.post("/api/v1/workflows/runs/wr-neverStartedAtAll00000/fork",
                Runs.json(Map.of("fromStep", 1))).status()).isEqualTo(404);
    }

    @Test
    void anAgentLimitedToTenCallsASecondTakesAtLeastTwoSecondsForThirty() {
        Runs runs = new Runs(one);
        String workflow = runs.workflow("limited", List.of(Runs.step("limited", "go")));
        // one call first, so that the connection is open when the measured calls start
        runs.awaitStatus(runs.start(workflow, "warm-up"), "COMPLETED", Duration.ofSeconds(60));
        limitedCalls.clear();

        List<String> started = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            started.add(runs.start(workflow, "n" + i));
        }
        started.forEach(run -> runs.awaitStatus(run, "COMPLETED", Duration.ofSeconds(60)));

        List<Long> at = new ArrayList<>(limitedCalls);
        java.util.Collections.sort(at);
        assertThat(at).hasSize(30);
        assertThat(Duration.ofNanos(at.get(29) - at.get(0))).as("30 calls at 10 per second, by the server's clock")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        for (int i = 10; i < at.size(); i++) {
            // the limiter spaces them 1.02 s apart; the server's clock sees its own thread scheduling too
            assertThat(at.get(i) - at.get(i - 10)).as("no 11 calls within a second").isGreaterThanOrEqualTo(
                    Duration.ofMillis(950).toNanos());
        }
    }

    @Test
    void aStreamingModelsDeltasComeBetweenStepStartedAndStepCompletedAndAReconnectMissesNone() throws Exception {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            pieces.add("p" + i + " ");
        }
        java.util.concurrent.CountDownLatch rest = new java.util.concurrent.CountDownLatch(1);
        endpoints.enqueue("/writer/v1/chat/completions", LoopbackServer.chatStream(pieces, i -> {
            if (i == 25) {
                try {
                    rest.await(30, java.util.concurrent.TimeUnit.SECONDS); // the second half waits for the reconnect
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }));
        Runs runs = new Runs(one);
        String workflow = runs.workflow("streamed", List.of(Runs.step("writer", "Write")));
        String runId = runs.start(workflow, "topic");
        String stream = two.base() + "/api/v1/workflows/runs/" + runId + "/stream"; // not where the agent runs

        List<Sse.Event> seen = new ArrayList<>();
        try (Sse first = Sse.open(stream, null)) {
            while (seen.stream().filter(e -> e.name().equals("delta")).count() < 25) {
                seen.add(first.next(Duration.ofSeconds(30)));
            }
        }
        String lastId = seen.get(seen.size() - 1).id();
        try (Sse second = Sse.open(stream, lastId)) {
            rest.countDown();
            Sse.Event event;
            do {
                event = second.next(Duration.ofSeconds(30));
                seen.add(event);
            } while (!event.name().equals("RunCompleted"));
        }

        List<String> names = seen.stream().map(Sse.Event::name).toList();
        int started = names.indexOf("StepStarted");
        int completed = names.indexOf("StepCompleted");
        List<Sse.Event> deltas = seen.stream().filter(e -> e.name().equals("delta")).toList();
        assertThat(deltas).hasSize(50);
        assertThat(names.subList(started + 1, completed)).as("every delta between the two, nothing else")
                .containsOnly("delta").hasSize(50);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < deltas.size(); i++) {
            JsonNode delta = dev.agentflow.schemas.json.Json.mapper().readTree(deltas.get(i).data());
            assertThat(delta.get("seq").asLong()).isEqualTo(i + 1);
            assertThat(delta.get("kind").asString()).isEqualTo("text");
            texts.add(delta.get("text").asString());
        }
        assertThat(texts).containsExactlyElementsOf(pieces);
        assertThat(deltas.get(24).id()).endsWith(".25");
        String output = runs.awaitStatus(runId, "COMPLETED", Duration.ofSeconds(30)).get("output").asString();
        assertThat(output).isEqualTo(String.join("", pieces));
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
