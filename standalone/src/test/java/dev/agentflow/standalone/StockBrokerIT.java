package dev.agentflow.standalone;

import static dev.agentflow.standalone.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.SessionHistory;
import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.standalone.cli.ReplayAccess;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The engine against a broker of its own with Kafka's stock record limits (no
 * {@code message.max.bytes} raised anywhere): large payloads travel by reference through any number
 * of steps, and a record no component can read, on any topic, stops none of them.
 */
class StockBrokerIT {

    private static EmbeddedKafkaBroker broker;
    private static ConfigurableApplicationContext app;
    private static Http http;
    private static Runs runs;
    private static final Topics TOPICS = Topics.defaults();

    @BeforeAll
    static void start() throws Exception {
        Path data = Files.createTempDirectory("agentflow-stock");
        broker = EmbeddedKafkaBroker.start(data.resolve("cluster"), Http.freePort(), Http.freePort());
        app = SpringApplication.run(AgentflowApplication.class,
                "--server.port=0",
                "--agentflow.data-dir=" + data.resolve("app"),
                "--agentflow.kafka.bootstrap-servers=" + broker.bootstrapServers());
        http = new Http("http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port"));
        runs = new Runs(http);
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theBrokerAndTheTopicsKeepKafkasDefaultRecordSize() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConfigResource brokerConfig = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config config = admin.describeConfigs(List.of(brokerConfig)).all().get().get(brokerConfig);
            assertThat(config.get("message.max.bytes").value()).isEqualTo("1048588");
            assertThat(config.get("message.max.bytes").isDefault()).isTrue();
            ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, TOPICS.runEvents().name());
            assertThat(admin.describeConfigs(List.of(events)).all().get().get(events).get("max.message.bytes")
                    .isDefault()).as("no override on the topics").isTrue();
        }
    }

    @Test
    void anEightStepRunOfTenMegabytesCompletesWithEveryStepWhole() {
        StringBuilder text = new StringBuilder(10_000_000);
        for (int i = 0; text.length() < 10_000_000; i++) {
            text.append("line ").append(i).append(" — ünïcödé text that crosses chunk boundaries\n");
        }
        String input = text.toString();
        String wf = runs.workflow("ten megabytes", List.of(step("echo", "1"), step("echo", "2"), step("echo", "3"),
                step("echo", "4"), step("echo", "5"), step("echo", "6"), step("echo", "7"), step("echo", "8")));

        JsonNode done = runs.awaitEnd(runs.start(wf, input), Duration.ofMinutes(2));

        assertThat(done.path("status").asString()).isEqualTo("COMPLETED");
        assertThat(done.path("inputTruncated").asBoolean()).isTrue();
        assertThat(runs.whole(done, "input")).isEqualTo(input);
        for (JsonNode step : done.path("steps")) {
            assertThat(runs.whole(step, "output")).as("step %s", step.path("stepOrder")).isEqualTo(input);
        }
        assertThat(runs.whole(done, "output")).isEqualTo(input);
    }

    @Test
    void aRecordNoComponentCanReadOnEveryTopicAndAnEventOutOfOrderStopNothing() throws Exception {
        String bootstrap = broker.bootstrapServers();
        String repartition = TOPICS.applicationId("sessions-node-1-session-exchanges-repartition");
        byte[] garbage = "\u0000{garbage".getBytes(StandardCharsets.UTF_8);
        for (String topic : List.of(TOPICS.workflowCommands().name(), TOPICS.workflowEvents().name(),
                TOPICS.runCommands().name(), TOPICS.runEvents().name(), TOPICS.agentRequests().name(),
                TOPICS.commandReplies().name(), TOPICS.payloads().name(), TOPICS.deadLetters().name(), repartition)) {
            DeadLetterTopic.write(bootstrap, topic, "poison", garbage);
        }
        RunEvent outOfOrder = new RunEvent.StepCompleted("wr-never-started", 3, 1, Payload.inline("early"));
        DeadLetterTopic.write(bootstrap, TOPICS.runEvents().name(), "wr-never-started", TOPICS.runEvents()
                .valueSerde().serializer().serialize("t", new EventEnvelope<>("evt-x", "StepCompleted", 1,
                        "wr-never-started", 3, Instant.now(), "job-x", outOfOrder)));

        Awaitility.await("a dead letter from each component that reads each topic").atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(DeadLetterTopic.read(bootstrap, TOPICS.deadLetters().name()))
                        .filteredOn(l -> l.offset() >= 0)
                        .extracting(DeadLetterTopic.Letter::source)
                        .contains("agentflow.workflow-decider <- agentflow.workflow-commands",
                                "agentflow.projection-node-1 <- agentflow.workflow-events",
                                "agentflow.run-decider <- agentflow.run-commands",
                                "agentflow.projection-node-1 <- agentflow.run-events",
                                "agentflow.sessions-node-1 <- agentflow.run-events",
                                "agentflow.agent-workers <- agentflow.agent-requests",
                                "agentflow.reply-reader-node-1 <- agentflow.command-replies",
                                "agentflow.sessions-node-1 <- " + repartition));
        assertThat(DeadLetterTopic.read(bootstrap, TOPICS.deadLetters().name()))
                .filteredOn(l -> l.value() != null && l.value().contains("wr-never-started"))
                .extracting(DeadLetterTopic.Letter::source, DeadLetterTopic.Letter::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("agentflow.projection-node-1 <- agentflow.run-events",
                        "Event StepCompleted v3 of wr-never-started before RunStarted"));

        // every component still works: definitions (workflow decider), a two-step run in a session whose
        // payloads travel by reference (run decider, agent workers, payload topic), its views and history
        // (projection), the session store (sessions), and replay
        String wf = runs.workflow("after the poison", List.of(step("template", "Notes on {{input}}"),
                step("echo", "again")));
        assertThat(http.post("/api/v1/workflows/" + wf + "/clone", null).status()).isEqualTo(201);
        String input = "pear ".repeat(10_000);
        Http.Response started = http.post("/api/v1/workflows/" + wf + "/run",
                Runs.json(Map.of("input", input, "sessionId", "session-poison")));
        assertThat(started.status()).isEqualTo(202);
        String runId = started.body().path("runId").asString();
        JsonNode done = runs.awaitEnd(runId, Duration.ofSeconds(60));
        assertThat(done.path("status").asString()).isEqualTo("COMPLETED");
        assertThat(runs.whole(done, "output")).isEqualTo("Notes on " + input);
        assertThat(http.get("/api/v1/workflows/runs/" + runId + "/events").body().path("totalElements").asInt())
                .isEqualTo(6);
        SessionHistory sessions = app.getBean(SessionHistory.class);
        List<Exchange> history = sessions.before(new AgentRequest("wr-next", wf, 1, 1, "echo", "x",
                Payload.inline("x"), "session-poison", Map.of(), "wr-next:1:1"), 10).get(15, TimeUnit.SECONDS);
        assertThat(history).extracting(Exchange::runId, Exchange::stepOrder)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(runId, 1), org.assertj.core.groups.Tuple.tuple(runId, 2));
        assertThat(history.get(1).output()).as("a payload by reference is told whole, within the history's budget")
                .isEqualTo("Notes on " + input);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(ReplayAccess.run(List.of("--bootstrap-servers", bootstrap, "--run", runId, "--resolve",
                "--json"), out, err)).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).as("the six run events").hasSize(6);
        assertThat(lines.get(lines.size() - 1)).contains("\"type\":\"RunCompleted\"", input);
        assertThat(ReplayAccess.run(List.of("--bootstrap-servers", bootstrap, "--since", "2000-01-01T00:00:00Z"),
                out, err)).as("replay skips what is not an event").isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("replay: skipped the record at agentflow.run-events-");
        ByteArrayOutputStream letters = new ByteArrayOutputStream();
        assertThat(ReplayAccess.run(List.of("--bootstrap-servers", bootstrap, "--dead-letters"), letters, err))
                .isZero();
        assertThat(letters.toString(StandardCharsets.UTF_8))
                .contains("agentflow.agent-workers  from agentflow.agent-requests-")
                .contains("agentflow.projection-node-1  from agentflow.run-events-")
                .contains("IllegalStateException: Event StepCompleted v3 of wr-never-started before RunStarted");
    }
}
