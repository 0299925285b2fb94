package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.run.RunEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Up to 120 runs of [delay 500 ms, delay 500 ms, template] on the packaged system as a separate
 * process, SIGKILLed while runs are in flight and while run requests are still being answered, then
 * started again on the same data: every run whose 202 was sent completes with the right output, and
 * every step of every run has exactly one StepCompleted event; and a run whose agent never answered
 * fails by its step's timeout, a timer set before the kill. Workflows defined, cloned and deleted
 * before the kill read the same after it, and take new writes.
 */
class RunDurabilityIT {

    private static final int RUNS = 120;

    @Test
    void everyRunCompletesOnceAcrossASigkill() throws Exception {
        Path data = Files.createTempDirectory("agentflow-durability");
        List<String> runIds = new ArrayList<>();
        String stuck;
        Map<String, JsonNode> definitions;
        try (StandaloneProcess first = new StandaloneProcess(data)) {
            first.start();
            Http http = first.http();
            definitions = defineWorkflows(http);
            String wf = http.post("/api/v1/workflows", "{\"name\":\"durability\"}").body().get("id").asString();
            for (String step : List.of(
                    "{\"agentId\":\"delay\",\"action\":\"wait\",\"config\":{\"delayMs\":500}}",
                    "{\"agentId\":\"delay\",\"action\":\"wait\",\"config\":{\"delayMs\":500}}",
                    "{\"agentId\":\"template\",\"action\":\"done: {{input}}\"}")) {
                assertThat(http.post("/api/v1/workflows/" + wf + "/steps", step).status()).isEqualTo(201);
            }
            // a run whose agent never answers in time: only its step's timeout, a timer the kill
            // must not lose, can end it
            String stuckWf = http.post("/api/v1/workflows", "{\"name\":\"stuck\"}").body().get("id").asString();
            assertThat(http.post("/api/v1/workflows/" + stuckWf + "/steps", "{\"agentId\":\"delay\",\"action\":"
                    + "\"wait\",\"config\":{\"delayMs\":600000,\"timeoutMs\":10000,\"maxAttempts\":1}}").status())
                    .isEqualTo(201);
            stuck = http.post("/api/v1/workflows/" + stuckWf + "/run", "{\"input\":\"x\"}").body().get("runId")
                    .asString();
            ExecutorService clients = Executors.newFixedThreadPool(16);
            CountDownLatch answered = new CountDownLatch(RUNS / 2);
            try {
                List<Future<String>> started = new ArrayList<>();
                for (int i = 0; i < RUNS; i++) {
                    String input = "run-" + i;
                    started.add(clients.submit(() -> {
                        try {
                            Http.Response r = http.post("/api/v1/workflows/" + wf + "/run",
                                    "{\"input\":\"" + input + "\"}");
                            if (r.status() != 202) {
                                return null;
                            }
                            answered.countDown();
                            return input + " " + r.body().get("runId").asString();
                        } catch (RuntimeException killed) {
                            return null; // no answer: the run may or may not start, nothing was promised
                        }
                    }));
                }
                assertThat(answered.await(2, TimeUnit.MINUTES)).as("half the run requests answered").isTrue();
                long running = http.get("/api/v1/workflows/runs?status=RUNNING&size=1").body().get("totalElements")
                        .asLong();
                assertThat(running).as("runs in flight when the process is killed").isPositive();
                assertThat(http.get("/api/v1/workflows/runs/" + stuck).body().get("status").asString())
                        .as("the stuck run, not timed out yet").isEqualTo("RUNNING");
                first.kill(); // while the other half of the requests are being answered
                for (Future<String> f : started) {
                    String accepted = f.get();
                    if (accepted != null) {
                        runIds.add(accepted);
                    }
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(runIds).as("every run answered 202 before the kill").hasSizeGreaterThanOrEqualTo(RUNS / 2);
        }

        try (StandaloneProcess second = new StandaloneProcess(data)) {
            second.start();
            Http http = second.http();
            checkWorkflows(http, definitions);
            // a request whose answer the kill cut off may have started its run too
            Awaitility.await("every accepted run COMPLETED after the restart").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> http.get("/api/v1/workflows/runs?status=RUNNING&size=1").body()
                            .get("totalElements").asLong() == 0
                            && http.get("/api/v1/workflows/runs?status=COMPLETED&size=1").body()
                            .get("totalElements").asLong() >= runIds.size());
            JsonNode timedOut = http.get("/api/v1/workflows/runs/" + stuck).body();
            assertThat(timedOut.get("status").asString()).as("the stuck run, by its step's timeout").isEqualTo("FAILED");
            List<String> ids = new ArrayList<>();
            for (String accepted : runIds) {
                String input = accepted.substring(0, accepted.indexOf(' '));
                String runId = accepted.substring(accepted.indexOf(' ') + 1);
                JsonNode run = http.get("/api/v1/workflows/runs/" + runId).body();
                assertThat(run.get("status").asString()).as(runId).isEqualTo("COMPLETED");
                assertThat(run.get("output").asString()).isEqualTo("done: " + input);
                ids.add(runId);
            }
            Map<String, Integer> completions = stepCompletions(second.bootstrapServers());
            for (String runId : ids) {
                for (int step = 1; step <= 3; step++) {
                    assertThat(completions.get(runId + "/" + step)).as(runId + " step " + step).isEqualTo(1);
                }
            }
        }
    }

    /** Ten workflows of one to three steps, one cloned and one deleted; what each and the list read, by id. */
    private static Map<String, JsonNode> defineWorkflows(Http http) {
        Map<String, JsonNode> before = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = http.post("/api/v1/workflows", "{\"name\":\"wf " + i + "\",\"description\":\"d" + i + "\"}")
                    .body().get("id").asString();
            ids.add(id);
            for (int s = 0; s <= i % 3; s++) {
                assertThat(http.post("/api/v1/workflows/" + id + "/steps",
                        "{\"agentId\":\"echo\",\"action\":\"step " + s + "\",\"config\":{\"n\":" + s + "}}")
                        .status()).isEqualTo(201);
            }
        }
        assertThat(http.post("/api/v1/workflows/" + ids.get(0) + "/clone", null).status()).isEqualTo(201);
        assertThat(http.delete("/api/v1/workflows/" + ids.get(1)).status()).isEqualTo(204);
        for (String id : ids) {
            before.put(id, http.get("/api/v1/workflows/" + id).body());
        }
        before.put("list", http.get("/api/v1/workflows?size=100").body());
        return before;
    }

    /** The workflows read as before the kill, and take new writes. */
    private static void checkWorkflows(Http http, Map<String, JsonNode> before) {
        List<String> ids = before.keySet().stream().filter(k -> !k.equals("list")).toList();
        for (String id : ids) {
            assertThat(http.get("/api/v1/workflows/" + id).body()).as(id).isEqualTo(before.get(id));
        }
        // the list as before, with the two workflows of the runs defined after it
        JsonNode list = http.get("/api/v1/workflows?size=100").body();
        assertThat(list.get("totalElements").asLong()).isEqualTo(before.get("list").get("totalElements").asLong() + 2);
        for (JsonNode summary : before.get("list").get("content")) {
            assertThat(list.get("content").valueStream().filter(s -> s.get("id").equals(summary.get("id"))))
                    .as(summary.get("id").asString()).containsExactly(summary);
        }
        Http.Response created = http.post("/api/v1/workflows", "{\"name\":\"after restart\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(http.post("/api/v1/workflows/" + ids.get(2) + "/steps",
                "{\"agentId\":\"echo\",\"action\":\"new\"}").status()).isEqualTo(201);
        assertThat(http.get("/api/v1/workflows/" + ids.get(2) + "/steps").body()).hasSize(4);
        assertThat(http.get("/api/v1/workflows/" + created.body().get("id").asString()).status()).isEqualTo(200);
    }

    /** StepCompleted events per run and step, read from the run-events topic (committed only). */
    private static Map<String, Integer> stepCompletions(String bootstrap) {
        Topics topics = Topics.defaults();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Integer> counts = new HashMap<>();
        try (KafkaConsumer<String, EventEnvelope<RunEvent>> consumer = new KafkaConsumer<>(p,
                new StringDeserializer(), topics.runEvents().valueSerde().deserializer())) {
            String topic = topics.runEvents().name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<String, EventEnvelope<RunEvent>> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.value().data() instanceof RunEvent.StepCompleted c) {
                        counts.merge(c.runId() + "/" + c.stepOrder(), 1, Integer::sum);
                    }
                }
            }
        }
        return counts;
    }
}
