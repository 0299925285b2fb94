package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.agent.AgentWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * With and without in-process dispatch: every agent request is invoked exactly once (one
 * RecordAgentResult per idempotency key on run-commands), and the agent workers commit every
 * request's offset, the early-dispatched ones included.
 */
@ExtendWith(SharedBroker.class)
class InProcessDispatchIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest(name = "in-process dispatch {0}")
    @ValueSource(booleans = {true, false})
    void everyRequestIsInvokedOnceAndCommitted(boolean inProcessDispatch) throws Exception {
        try (InProcessSystem app = InProcessSystem.start("dispatch",
                "--agentflow.workers.in-process-dispatch=" + inProcessDispatch)) {
            Http http = app.http();
            String bootstrap = app.bootstrap();
            String prefix = app.topicPrefix();
            String wf = http.post("/api/v1/workflows", "{\"name\":\"dispatch\"}").body().get("id").asString();
            for (int i = 1; i <= 3; i++) {
                assertThat(http.post("/api/v1/workflows/" + wf + "/steps",
                        "{\"agentId\":\"echo\",\"action\":\"step " + i + "\"}").status()).isEqualTo(201);
            }
            List<String> runs = IntStream.range(0, 20).parallel()
                    .mapToObj(i -> http.post("/api/v1/workflows/" + wf + "/run", "{\"input\":\"in " + i + "\"}"))
                    .map(r -> r.body().get("runId").asString()).toList();
            for (String runId : runs) {
                Awaitility.await("run " + runId).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                        .until(() -> http.get("/api/v1/workflows/runs/" + runId).body().get("status").asString(),
                                "COMPLETED"::equals);
            }

            long early = app.bean(AgentWorker.class).startedEarly();
            if (inProcessDispatch) {
                assertThat(early).as("requests started before their record was read").isPositive();
            } else {
                assertThat(early).isZero();
            }

            Map<String, Integer> results = resultsPerIdempotencyKey(bootstrap, prefix, Set.copyOf(runs));
            assertThat(results).hasSize(runs.size() * 3);
            assertThat(results.values()).as("results per idempotency key").containsOnly(1);

            Map<TopicPartition, Long> requests = pastLastRequest(bootstrap, prefix);
            assertThat(requests.values().stream().mapToLong(Long::longValue).sum()).isPositive();
            try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    bootstrap))) {
                Awaitility.await("agent-request offsets committed").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .untilAsserted(() -> assertThat(committed(admin, prefix)).containsAllEntriesOf(requests));
            }
        }
    }

    private static Map<String, Integer> resultsPerIdempotencyKey(String bootstrap, String prefix, Set<String> runs) {
        Map<String, Integer> counts = new HashMap<>();
        readAll(bootstrap, prefix + "run-commands", record -> {
            JsonNode command = JSON.readTree(record.value());
            if ("RecordAgentResult".equals(command.path("type").asString()) && runs.contains(record.key())) {
                JsonNode data = command.get("data");
                counts.merge(record.key() + ":" + data.get("stepOrder").asInt() + ":" + data.get("attempt").asInt(),
                        1, Integer::sum);
            }
        });
        return counts;
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String prefix) throws Exception {
        Map<TopicPartition, Long> committed = new HashMap<>();
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : admin.listConsumerGroupOffsets(prefix + "agent-workers")
                .partitionsToOffsetAndMetadata().get().entrySet()) {
            committed.put(e.getKey(), e.getValue().offset());
        }
        return committed;
    }

    /**
     * Per agent-requests partition, the offset after its last request: what the workers must have
     * committed (the transaction marker after it is not a record anyone reads).
     */
    private static Map<TopicPartition, Long> pastLastRequest(String bootstrap, String prefix) {
        Map<TopicPartition, Long> next = new HashMap<>();
        readAll(bootstrap, prefix + "agent-requests",
                record -> next.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1));
        return next;
    }

    /** Every committed record of a topic, from the beginning to the end it has now. */
    private static void readAll(String bootstrap, String topic, Consumer<ConsumerRecord<String, String>> each) {
        try (KafkaConsumer<String, String> consumer = consumer(bootstrap)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
