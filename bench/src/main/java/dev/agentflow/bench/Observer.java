package dev.agentflow.bench;

import dev.agentflow.schemas.json.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import tools.jackson.databind.JsonNode;

/**
 * Follows the engine's topics as a downstream consumer would (read_committed), and tells the
 * harness when a run reaches a state. Record timestamps give the per-step engine overhead: from
 * the agent result's record on run-commands to the next step's record on agent-requests.
 */
final class Observer implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final String runCommands;
    private final String agentRequests;
    private final String runEvents;
    private final Thread thread;
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    /** What the harness waits for, and the timestamps of one run. */
    static final class Run {
        final CompletableFuture<Long> completed = new CompletableFuture<>();
        final CompletableFuture<Long> paused = new CompletableFuture<>();
        final Map<Integer, CompletableFuture<Long>> requested = new ConcurrentHashMap<>();
        final Map<Integer, Long> resultAt = new ConcurrentHashMap<>();
        /** Record timestamps: the StartRun the API wrote, the RunStarted and RunCompleted the decider wrote. */
        volatile long startWrittenAt;
        volatile long startedAt;
        volatile long completedWrittenAt;

        CompletableFuture<Long> requested(int stepOrder) {
            return requested.computeIfAbsent(stepOrder, k -> new CompletableFuture<>());
        }
    }

    Observer(String bootstrapServers, String prefix) {
        this.runCommands = prefix + "run-commands";
        this.agentRequests = prefix + "agent-requests";
        this.runEvents = prefix + "run-events";
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        for (String topic : List.of(runCommands, agentRequests, runEvents)) {
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(tp -> positions.put(tp, consumer.position(tp)));
        this.thread = new Thread(this::loop, "bench-observer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Registers a run before it is started, so none of its records is missed. */
    Run track(String runId) {
        return runs.computeIfAbsent(runId, k -> new Run());
    }

    void forget(String runId) {
        runs.remove(runId);
    }

    private void loop() {
        try {
            while (running) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.key() == null || record.value() == null) {
                        continue;
                    }
                    // a run's first records may arrive before its POST /run returns the id
                    apply(runs.computeIfAbsent(record.key(), k -> new Run()), record);
                }
                partitions.forEach(tp -> positions.put(tp, consumer.position(tp)));
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void apply(Run run, ConsumerRecord<String, String> record) {
        long seenAt = System.currentTimeMillis();
        JsonNode value = Json.mapper().readTree(record.value());
        if (record.topic().equals(agentRequests)) {
            run.requested(value.get("stepOrder").asInt()).complete(record.timestamp());
        } else if (record.topic().equals(runCommands)) {
            if ("RecordAgentResult".equals(value.path("type").asString())) {
                run.resultAt.putIfAbsent(value.path("data").path("stepOrder").asInt(), record.timestamp());
            } else if ("StartRun".equals(value.path("type").asString())) {
                run.startWrittenAt = record.timestamp();
            }
        } else {
            switch (value.path("type").asString()) {
                case "RunStarted" -> run.startedAt = record.timestamp();
                case "RunCompleted" -> {
                    run.completedWrittenAt = record.timestamp();
                    run.completed.complete(seenAt);
                }
                case "RunPaused" -> run.paused.complete(seenAt);
                case "RunFailed", "RunCancelled" -> run.completed.completeExceptionally(
                        new IllegalStateException("run " + record.key() + ": " + value.path("type").asString()));
                default -> {
                }
            }
        }
    }

    /**
     * Waits until everything committed so far has been read: a run's completion can be read before
     * the records of its earlier hand-overs, which sit in other partitions.
     */
    void catchUp(Map<TopicPartition, Long> committedEnds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (committedEnds.entrySet().stream().anyMatch(e -> positions.getOrDefault(e.getKey(), 0L) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the observer did not catch up within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** The partitions read. */
    List<TopicPartition> partitions() {
        return List.copyOf(partitions);
    }

    /** Engine overhead of each step hand-over of a completed run: result recorded → next request written. */
    static void overheads(Run run, int steps, Stats into) {
        for (int step = 1; step < steps; step++) {
            Long result = run.resultAt.get(step);
            CompletableFuture<Long> next = run.requested.get(step + 1);
            if (result != null && next != null && next.isDone() && !next.isCompletedExceptionally()) {
                into.add(Math.max(0, next.join() - result));
            }
        }
    }

    /**
     * Where a completed run's time went, hop by hop, from record timestamps (one clock: the system
     * and the harness run on one machine): the StartRun written → RunStarted decided; each agent
     * request written → its result written (the in-process call); the last result → RunCompleted
     * decided; RunCompleted decided → read by a read_committed consumer (the commit).
     */
    static void hops(Run run, int steps, Map<String, Stats> into) {
        if (run.startWrittenAt > 0 && run.startedAt > 0) {
            into.get("startToStartedMs").add(Math.max(0, run.startedAt - run.startWrittenAt));
        }
        for (int step = 1; step <= steps; step++) {
            Long result = run.resultAt.get(step);
            CompletableFuture<Long> request = run.requested.get(step);
            if (result != null && request != null && request.isDone() && !request.isCompletedExceptionally()) {
                into.get("requestToResultMs").add(Math.max(0, result - request.join()));
            }
        }
        Long last = run.resultAt.get(steps);
        if (last != null && run.completedWrittenAt > 0) {
            into.get("lastResultToCompletedMs").add(Math.max(0, run.completedWrittenAt - last));
            if (run.completed.isDone() && !run.completed.isCompletedExceptionally()) {
                into.get("completedToVisibleMs").add(Math.max(0, run.completed.join() - run.completedWrittenAt));
            }
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
