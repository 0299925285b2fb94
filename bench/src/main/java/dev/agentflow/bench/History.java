package dev.agentflow.bench;

import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The history-size scenario: the two list queries an operator's screen polls, measured with few and
 * with many finished runs stored, in one run of one system. The finished runs are written straight
 * to the run-events topic as a finished run's first and last events ({@code RunStarted},
 * {@code RunCompleted}) of one workflow: what the lists read is the projection of those events, and
 * seeding 100,000 runs through three agent steps each would take most of an hour here. The paused
 * runs are real runs, paused at a {@code human_approval} step.
 */
final class History {

    static final int PAUSED_RUNS = 25;
    static final int PAGE_SIZE = 20;
    private static final int WARMUP_QUERIES = 200;

    private History() {
    }

    static Map<String, Object> run(Api api, SystemUnderTest system, Settings settings, String pausingWorkflow)
            throws Exception {
        String workflowId = api.createWorkflow("bench-history", null, "echo");
        for (int i = 0; i < PAUSED_RUNS; i++) {
            api.startRun(pausingWorkflow, "history " + i, null);
        }
        String pausedQuery = "/api/v1/workflows/runs?status=PAUSED&size=" + PAGE_SIZE;
        String workflowQuery = "/api/v1/workflows/" + workflowId + "/runs?size=" + PAGE_SIZE;
        api.await(pausedQuery, json -> json.get("totalElements").asLong() >= PAUSED_RUNS, Duration.ofSeconds(60));

        Topics topics = new Topics(settings.topicPrefix(), Topics.DEFAULT_PARTITIONS);
        List<Map<String, Object>> levels = new ArrayList<>();
        long stored = 0;
        try (KafkaProducer<String, EventEnvelope<RunEvent>> producer = producer(system.bootstrapServers(),
                topics.runEvents())) {
            for (int target : settings.historyRuns()) {
                Bench.log("history: " + target + " finished runs stored");
                long start = System.nanoTime();
                seed(producer, topics.runEvents(), workflowId, target - stored);
                stored = target;
                long expected = stored;
                api.await(workflowQuery + "&page=0", json -> json.get("totalElements").asLong() == expected,
                        Duration.ofSeconds(60 + stored / 200));
                double seeded = (System.nanoTime() - start) / 1e9;
                Map<String, Object> level = new LinkedHashMap<>();
                level.put("finishedRuns", stored);
                level.put("seedSeconds", Bench.round(seeded));
                level.put("pausedQueryMs", measure(api, pausedQuery, settings.historyQueries()));
                level.put("workflowRunsQueryMs", measure(api, workflowQuery, settings.historyQueries()));
                Bench.log("  " + level);
                levels.add(level);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("pageSize", PAGE_SIZE);
        result.put("pausedRuns", PAUSED_RUNS);
        result.put("queries", settings.historyQueries());
        result.put("levels", levels);
        return result;
    }

    /** Sequential GETs after a warm-up: p50/p95/p99/max in milliseconds (measured in microseconds). */
    private static Map<String, Object> measure(Api api, String path, int queries) {
        for (int i = 0; i < WARMUP_QUERIES; i++) {
            api.get(path, null);
        }
        Stats micros = new Stats();
        for (int i = 0; i < queries; i++) {
            api.get(path, micros);
        }
        Map<String, Object> ms = new LinkedHashMap<>();
        micros.summary().forEach((name, value) -> ms.put(name, name.equals("count") ? value
                : Bench.round(((Number) value).doubleValue() / 1000.0)));
        return ms;
    }

    private static void seed(KafkaProducer<String, EventEnvelope<RunEvent>> producer,
                             Topic<String, EventEnvelope<RunEvent>> runEvents, String workflowId, long runs) {
        List<StepDefinition> steps = List.of(new StepDefinition("history-step", "echo", "{{input}}", 1, Map.of()));
        for (long i = 0; i < runs; i++) {
            String runId = "wr-history-" + UUID.randomUUID();
            Instant at = Instant.now();
            RunEvent started = new RunEvent.RunStarted(runId, workflowId, null, Payload.inline("history input"),
                    steps);
            RunEvent completed = new RunEvent.RunCompleted(runId, Payload.inline("history input"));
            producer.send(new ProducerRecord<>(runEvents.name(), runId, envelope(runId, 1, at, started)));
            producer.send(new ProducerRecord<>(runEvents.name(), runId, envelope(runId, 2, at.plusMillis(1),
                    completed)));
        }
        producer.flush();
    }

    private static EventEnvelope<RunEvent> envelope(String runId, long version, Instant at, RunEvent event) {
        return new EventEnvelope<>("ev-" + UUID.randomUUID(), Topics.RUN_EVENTS.nameOf(event),
                CarriesPayloads.schemaVersionOf(event), runId, version, at, "bench-history", event);
    }

    private static KafkaProducer<String, EventEnvelope<RunEvent>> producer(
            String bootstrapServers, Topic<String, EventEnvelope<RunEvent>> runEvents) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        return new KafkaProducer<>(p, runEvents.keySerde().serializer(), runEvents.valueSerde().serializer());
    }
}
