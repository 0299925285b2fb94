package dev.agentflow.standalone;

import static dev.agentflow.standalone.Runs.step;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The cases of the robustness issue, with their exact inputs, against the packaged jar as a user
 * runs it (with {@code max-in-flight=2}): each is followed by a normal run that completes, and all
 * of them are checked again after a SIGKILL and a restart on the same data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RobustnessIT {

    private static final Duration QUICKLY = Duration.ofSeconds(60);
    private static final String LIMIT = "over the limit of 33554432 bytes (agentflow.limits.max-payload-bytes)";

    private final Topics topics = Topics.defaults();
    /** What each case left behind, checked again after the restart. */
    private final Map<String, Consumer<Runs>> answers = new LinkedHashMap<>();
    private Path data;
    private StandaloneProcess process;
    private Http http;
    private Runs runs;

    @BeforeAll
    void start() throws Exception {
        data = Files.createTempDirectory("agentflow-robustness");
        process = new StandaloneProcess(data, "--agentflow.workers.max-in-flight=2");
        process.start();
        http = process.http();
        runs = new Runs(http);
    }

    @AfterAll
    void stop() {
        if (process != null) {
            process.close();
        }
    }

    @Test
    @Order(1)
    void aRunOfEightStepsWithAnInputOfOneMegabyteCompletesEveryStepWhole() {
        String input = "0123456789abcdef".repeat(62_500); // 1,000,000 bytes
        String wf = runs.workflow("eight echoes", List.of(step("echo", "1"), step("echo", "2"), step("echo", "3"),
                step("echo", "4"), step("echo", "5"), step("echo", "6"), step("echo", "7"), step("echo", "8")));
        String run = runs.start(wf, input);

        JsonNode done = runs.awaitEnd(run, QUICKLY);

        assertThat(done.path("status").asString()).isEqualTo("COMPLETED");
        for (JsonNode step : done.path("steps")) {
            assertThat(runs.whole(step, "output")).as("step %s", step.path("stepOrder")).isEqualTo(input);
        }
        answers.put("eight steps of 1 MB", r -> assertThat(r.whole(r.awaitEnd(run, QUICKLY), "output"))
                .isEqualTo(input));
        runs.normalRunCompletes("eight steps of 1 MB");
    }

    @Test
    @Order(2)
    void aTemplateRepeatingItsInputTwentyTimesOverSixHundredKilobytesCompletes() {
        String input = "y".repeat(600_000);
        String wf = runs.workflow("twenty times", List.of(step("template", "{{input}}".repeat(20))));
        String run = runs.start(wf, input);

        JsonNode done = runs.awaitEnd(run, QUICKLY);

        assertThat(done.path("status").asString()).isEqualTo("COMPLETED");
        assertThat(runs.whole(done, "output")).isEqualTo(input.repeat(20));
        answers.put("12 MB output", r -> assertThat(r.whole(r.awaitEnd(run, QUICKLY), "output"))
                .hasSize(12_000_000));
        runs.normalRunCompletes("12 MB output");
    }

    @Test
    @Order(3)
    void anEighteenMegabyteOutputTravelsByReferenceAndOneOverTheLimitFailsAtOnce() {
        String input = "z".repeat(900_000);
        String eighteen = runs.start(runs.workflow("18 MB", List.of(step("template", "{{input}}".repeat(20)))),
                input);
        String forty = runs.start(runs.workflow("36 MB", List.of(step("template", "{{input}}".repeat(40)))),
                input);

        JsonNode whole = runs.awaitEnd(eighteen, QUICKLY);
        JsonNode failed = runs.awaitEnd(forty, Duration.ofSeconds(20));

        assertThat(whole.path("status").asString()).isEqualTo("COMPLETED");
        assertThat(runs.whole(whole, "output")).hasSize(18_000_000);
        String message = "output of step 1 (agent template) is 36000000 bytes, " + LIMIT;
        assertThat(failed.path("status").asString()).isEqualTo("FAILED");
        assertThat(failed.path("error").asString()).isEqualTo(message);
        assertThat(failed.path("steps").get(0).path("attempts").asInt()).as("the agent is invoked once").isEqualTo(1);
        assertThat(types(forty)).containsExactly("RunStarted", "StepStarted", "StepFailed", "RunFailed");
        answers.put("36 MB output", r -> assertThat(r.awaitEnd(forty, QUICKLY).path("error").asString())
                .isEqualTo(message));
        runs.normalRunCompletes("18 and 36 MB outputs");
    }

    @Test
    @Order(4)
    void aTemplateOfTwentyTwoThousandPlaceholdersFailsAtOnceAndFreesItsSlot() {
        String wf = runs.workflow("22,000 placeholders", List.of(step("template", "{{input}}".repeat(22_000))));
        String input = "w".repeat(900_000);
        List<String> started = List.of(runs.start(wf, input), runs.start(wf, input));

        for (String run : started) {
            JsonNode failed = runs.awaitEnd(run, Duration.ofSeconds(20));
            assertThat(failed.path("status").asString()).isEqualTo("FAILED");
            assertThat(failed.path("error").asString())
                    .isEqualTo("output of step 1 (agent template) is 19800000000 bytes, " + LIMIT);
        }
        // with max-in-flight=2, a leaked slot per run would leave this one RUNNING for good
        runs.normalRunCompletes("22,000 placeholders");
        answers.put("22,000 placeholders", r -> assertThat(r.awaitEnd(started.get(1), QUICKLY)
                .path("status").asString()).isEqualTo("FAILED"));
        Awaitility.await("every agent request committed").atMost(QUICKLY).until(this::agentRequestsCommitted);
    }

    @Test
    @Order(5)
    void recordsNoComponentCanReadStopNothing() {
        String bootstrap = process.bootstrapServers();
        DeadLetterTopic.write(bootstrap, topics.agentRequests().name(), "wr-x", bytes("{not json"));
        runs.normalRunCompletes("a bad agent request");

        DeadLetterTopic.write(bootstrap, topics.commandReplies().name(), "job-x", bytes("\u0000\u0001binary"));
        long before = System.nanoTime();
        assertThat(http.post("/api/v1/workflows", "{\"name\":\"after a bad reply\"}").status()).isEqualTo(201);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).as("a write answers at once").isLessThan(
                Duration.ofSeconds(10));

        RunEvent forged = new RunEvent.RunCompleted("wr-nobody", Payload.inline("forged"));
        DeadLetterTopic.write(bootstrap, topics.runEvents().name(), "wr-nobody", topics.runEvents().valueSerde()
                .serializer().serialize("t", new EventEnvelope<>("evt-forged", "RunCompleted", 1, "wr-nobody", 1,
                        java.time.Instant.now(), "job-forged", forged)));
        assertThat(http.get("/api/v1/workflows/runs").status()).isEqualTo(200);
        assertThat(http.get("/api/v1/workflows/runs/wr-nobody").status()).isEqualTo(404);
        runs.normalRunCompletes("a RunCompleted of no run");
        answers.put("a RunCompleted of no run", r -> assertThat(http.get("/api/v1/workflows/runs/wr-nobody").status())
                .isEqualTo(404));

        Awaitility.await("the three records on the dead-letter topic").atMost(QUICKLY).untilAsserted(() ->
                assertThat(DeadLetterTopic.read(bootstrap, topics.deadLetters().name()))
                        .extracting(DeadLetterTopic.Letter::source)
                        .contains("agentflow.agent-workers <- agentflow.agent-requests",
                                "agentflow.reply-reader-node-1 <- agentflow.command-replies",
                                "agentflow.projection-node-1 <- agentflow.run-events"));
    }

    @Test
    @Order(6)
    void afterAKillAndARestartOnTheSameDataEveryAnswerIsTheSameAndTheEngineWorks() {
        process.kill();
        process = new StandaloneProcess(data, "--agentflow.workers.max-in-flight=2");
        long startedAt = System.nanoTime();
        process.start();
        http = process.http();
        runs = new Runs(http);
        assertThat(http.post("/api/v1/workflows", "{\"name\":\"after the restart\"}").status()).isEqualTo(201);
        assertThat(Duration.ofNanos(System.nanoTime() - startedAt)).as("reads and writes served again")
                .isLessThan(Duration.ofSeconds(30));

        assertThat(answers).hasSize(5);
        answers.forEach((name, check) -> check.accept(runs));
        runs.normalRunCompletes("the restart");
    }

    private List<String> types(String runId) {
        List<String> types = new ArrayList<>();
        http.get("/api/v1/workflows/runs/" + runId + "/events?size=100").body().path("content")
                .forEach(e -> types.add(e.path("type").asString()));
        return types;
    }

    /**
     * The agent workers' group has committed past every agent request written so far (the last
     * record of each partition; transaction markers come after it).
     */
    private boolean agentRequestsCommitted() throws Exception {
        Map<TopicPartition, Long> last = new LinkedHashMap<>();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, process.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.agentRequests().name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(r ->
                        last.put(new TopicPartition(r.topic(), r.partition()), r.offset()));
            }
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                process.bootstrapServers()))) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(
                    topics.applicationId("agent-workers")).partitionsToOffsetAndMetadata().get();
            return last.entrySet().stream().allMatch(e -> committed.containsKey(e.getKey())
                    && committed.get(e.getKey()).offset() > e.getValue());
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
