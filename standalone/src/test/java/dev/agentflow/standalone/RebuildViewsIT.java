package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.SessionHistory;
import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.standalone.cli.RebuildViews;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code rebuild-views} on a mixed history: after the service is stopped, the views dropped and the
 * service started again, every workflow and run view (and every event history) equals what the
 * live views showed; and so it does after the state directory itself is lost, and after an upgrade
 * from a version whose view stores had changelog topics (they are deleted).
 */
class RebuildViewsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private ConfigurableApplicationContext app;
    private Http http;

    @AfterEach
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private void start(String[] args) {
        app = SpringApplication.run(AgentflowApplication.class, args);
        http = new Http("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
    }

    private String workflow(String name, String... steps) {
        String id = http.post("/api/v1/workflows", "{\"name\":\"" + name + "\"}").body().get("id").asString();
        for (String step : steps) {
            assertThat(http.post("/api/v1/workflows/" + id + "/steps", step).status()).isEqualTo(201);
        }
        return id;
    }

    private String run(String workflowId) {
        Http.Response r = http.post("/api/v1/workflows/" + workflowId + "/run", "{\"input\":\"news\"}");
        assertThat(r.status()).isEqualTo(202);
        return r.body().get("runId").asString();
    }

    private void awaitStatus(String runId, String status) {
        Awaitility.await(runId + " " + status).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> http.get("/api/v1/workflows/runs/" + runId).body().get("status").asString(),
                        status::equals);
    }

    /** Every view the API serves, by path: status and body. */
    private Map<String, String> views(List<String> workflows, List<String> runs) {
        Map<String, String> views = new TreeMap<>();
        List<String> paths = new ArrayList<>(List.of("/api/v1/workflows?size=1000", "/api/v1/workflows/runs?size=1000"));
        for (String wf : workflows) {
            paths.addAll(List.of("/api/v1/workflows/" + wf, "/api/v1/workflows/" + wf + "/steps",
                    "/api/v1/workflows/" + wf + "/runs?size=1000", "/api/v1/workflows/" + wf + "/events?size=1000"));
        }
        for (String run : runs) {
            paths.addAll(List.of("/api/v1/workflows/runs/" + run, "/api/v1/workflows/runs/" + run + "/events?size=1000"));
        }
        for (String path : paths) {
            Http.Response r = http.get(path);
            views.put(path, r.status() + " " + (r.status() == 200 ? r.body() : ""));
        }
        return views;
    }

    /** The session's history as a third run's first step is told it. */
    private List<Exchange> sessionBefore() throws Exception {
        AgentRequest third = new AgentRequest("wr-third", "wf-any", 1, 1, "echo", "x", Payload.inline("x"),
                "rebuilt-session", Map.of(), AgentRequest.idempotencyKey("wr-third", 1, 1));
        return app.getBean(SessionHistory.class).before(third, 10).get(30, TimeUnit.SECONDS);
    }

    /** Runs rebuild-views, asserts it succeeded and returns what it printed. */
    private static String rebuildViews(String[] args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream console = System.out;
        int exit;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            exit = RebuildViews.run(AgentflowApplication.class, args);
        } finally {
            System.setOut(console);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        return output;
    }

    @Test
    void rebuiltViewsEqualTheLiveOnes() throws Exception {
        Path data = Files.createTempDirectory("agentflow-rebuild");
        int kafkaPort = Http.freePort();
        String[] args = {"--server.port=0",
                "--agentflow.data-dir=" + data,
                "--agentflow.kafka.port=" + kafkaPort,
                "--agentflow.kafka.controller-port=" + Http.freePort()};
        start(args);

        String approval = workflow("approval", "{\"agentId\":\"template\",\"action\":\"Summary: {{input}}\"}",
                "{\"agentId\":\"human_approval\",\"action\":\"Approve\"}");
        String slow = workflow("slow", "{\"agentId\":\"delay\",\"action\":\"wait\","
                + "\"config\":{\"delayMs\":5000,\"timeoutMs\":100,\"maxAttempts\":1}}");
        assertThat(http.patch("/api/v1/workflows/" + approval, "{\"description\":\"edited\"}").status())
                .isEqualTo(200);
        String clone = http.post("/api/v1/workflows/" + approval + "/clone", null).body().get("id").asString();
        String stepId = http.get("/api/v1/workflows/" + clone + "/steps").body().get(0).get("id").asString();
        assertThat(http.delete("/api/v1/workflows/" + clone + "/steps/" + stepId).status()).isEqualTo(204);
        String deleted = workflow("deleted", "{\"agentId\":\"echo\",\"action\":\"x\"}");
        String deletedRun = run(deleted);
        awaitStatus(deletedRun, "COMPLETED");
        assertThat(http.delete("/api/v1/workflows/" + deleted).status()).isEqualTo(204);

        String resumed = run(approval);
        String paused = run(approval);
        String cancelled = run(clone);
        String failed = run(slow);
        awaitStatus(resumed, "PAUSED");
        assertThat(http.post("/api/v1/workflows/runs/" + resumed + "/resume", "{\"output\":\"ok\"}").status())
                .isEqualTo(202);
        awaitStatus(cancelled, "PAUSED");
        assertThat(http.post("/api/v1/workflows/runs/" + cancelled + "/cancel", null).status()).isEqualTo(202);
        awaitStatus(resumed, "COMPLETED");
        awaitStatus(paused, "PAUSED");
        awaitStatus(cancelled, "CANCELLED");
        awaitStatus(failed, "FAILED");

        // two runs in one session: the session store is rebuilt too, and tells them only once it is
        String notes = workflow("notes", "{\"agentId\":\"template\",\"action\":\"Notes on {{input}}\"}");
        List<String> sessionRuns = new ArrayList<>();
        for (String input : List.of("apples", "pears")) {
            Http.Response r = http.post("/api/v1/workflows/" + notes + "/run",
                    "{\"input\":\"" + input + "\",\"sessionId\":\"rebuilt-session\"}");
            assertThat(r.status()).isEqualTo(202);
            sessionRuns.add(r.body().get("runId").asString());
            awaitStatus(sessionRuns.get(sessionRuns.size() - 1), "COMPLETED");
        }
        List<Exchange> session = List.of(
                new Exchange(sessionRuns.get(0), 1, "template", "Notes on {{input}}", "apples", "Notes on apples"),
                new Exchange(sessionRuns.get(1), 1, "template", "Notes on {{input}}", "pears", "Notes on pears"));
        Awaitility.await("the session").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(sessionBefore()).isEqualTo(session));

        List<String> workflows = List.of(approval, slow, clone, deleted);
        List<String> runs = List.of(deletedRun, resumed, paused, cancelled, failed);
        Map<String, String> live = views(workflows, runs);
        assertThat(live.get("/api/v1/workflows/" + deleted)).startsWith("404");
        assertThat(live.get("/api/v1/workflows/runs?size=1000")).contains(resumed, paused, cancelled, failed, deletedRun);
        app.close();
        app = null;

        // the views' stores have no changelog topics: there are none to delete
        assertThat(rebuildViews(args)).contains("Deleted the local state of agentflow.projection-node-1",
                "Deleted consumer group agentflow.projection-node-1",
                "No changelog topics of agentflow.projection-node-1");
        assertThat(rebuildViews(args)).as("a second run finds nothing left to delete").contains(
                "Consumer group agentflow.projection-node-1 has no committed offsets",
                "No changelog topics of agentflow.projection-node-1");

        start(args);
        Awaitility.await("rebuilt views").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(views(workflows, runs)).isEqualTo(live));

        // the state directory lost (a new disk): the views are rebuilt from the event topics, the
        // deciders' stores restored from their changelogs
        app.close();
        app = null;
        Path streams = data.resolve("streams");
        assertThat(streams.resolve("projection-node-1")).isDirectory();
        try (Stream<Path> all = Files.walk(streams)) {
            all.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        start(args);
        assertThat(sessionBefore()).as("told only once rebuilt, then whole").isEqualTo(session);
        Awaitility.await("views after the state directory was lost").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(views(workflows, runs)).isEqualTo(live));

        // an upgrade from a version whose view stores had changelogs: its state directory has no
        // marker, and its changelog topics are left over; the views are rebuilt, the topics deleted
        Path appDir = streams.resolve("projection-node-1").resolve("agentflow.projection-node-1");
        String leftOver = "agentflow.projection-node-1-run-view-store-changelog";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + kafkaPort))) {
            // while the broker (in this JVM, with the service) runs
            admin.createTopics(List.of(new NewTopic(leftOver, 1, (short) 1))).all().get();
            app.close();
            app = null;
            assertThat(appDir.resolve("agentflow-state-kept")).isRegularFile();
            Files.delete(appDir.resolve("agentflow-state-kept"));
            start(args);
            assertThat(admin.listTopics().names().get()).doesNotContain(leftOver);
            Awaitility.await("views after an upgrade").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(views(workflows, runs)).isEqualTo(live));
        }
    }
}
