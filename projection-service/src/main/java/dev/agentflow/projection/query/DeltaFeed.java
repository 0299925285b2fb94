package dev.agentflow.projection.query;

import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.run.RunDelta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pieces of answers agents stream (run-deltas), for the live run streams of this instance: one
 * consumer reads every partition (no group, nothing committed; from {@link #LOOKBACK} ago at start),
 * keeps the recent deltas of each run's attempts (at most {@code maxBytes} in all, the runs least
 * recently written dropped first) and hands each new one to the streams that follow its run. A
 * record it cannot read is skipped: deltas are no record of anything.
 */
public final class DeltaFeed implements DeltaSource, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaFeed.class);
    /** How far back a new feed starts reading, so a stream opened just after a start still gets them. */
    static final Duration LOOKBACK = Duration.ofMinutes(10);

    private final long maxBytes;
    /** runId → "step:attempt" → that attempt's deltas; access-ordered, so the eldest run goes first. */
    private final LinkedHashMap<String, Map<String, Attempt>> runs = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Set<Consumer<RunDelta>>> followers = new ConcurrentHashMap<>();
    private long bytes;
    private final AtomicLong skipped = new AtomicLong();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Topic<String, RunDelta> topic;
    private final Thread thread;
    private volatile boolean running = true;

    /** One attempt's deltas (of its latest invocation), in order, and whether its last came. */
    private static final class Attempt {
        final List<RunDelta> deltas = new ArrayList<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        String invocation;
    }

    public DeltaFeed(KafkaSettings kafka, long maxBytes) {
        this.maxBytes = maxBytes;
        this.topic = kafka.topics().runDeltas();
        Map<String, Object> props = kafka.client();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "agentflow-delta-feed-" + kafka.instanceId());
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::poll, "agentflow-delta-feed");
        thread.setDaemon(true);
        thread.start();
    }

    /** Reads until closed; after an error it starts over (a second later), so deltas come back by themselves. */
    private void poll() {
        try {
            readUntilClosed();
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void readUntilClosed() {
        while (running) {
            try {
                read();
            } catch (WakeupException e) {
                return; // closing
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("The delta feed could not read {} ({}); starting over in a second", topic.name(), e.toString());
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void read() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(topic.name(), p.partition())).toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> since = new HashMap<>();
        partitions.forEach(tp -> since.put(tp, System.currentTimeMillis() - LOOKBACK.toMillis()));
        Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(since);
        consumer.seekToEnd(partitions);
        from.forEach((tp, at) -> {
            if (at != null) {
                consumer.seek(tp, at.offset());
            }
        });
        while (running) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                RunDelta delta;
                try {
                    delta = topic.valueSerde().deserializer().deserialize(topic.name(), record.value());
                } catch (RuntimeException e) {
                    delta = null;
                }
                if (delta == null || delta.runId() == null || delta.kind() == null) {
                    if (skipped.getAndIncrement() % 1000 == 0) {
                        LOG.warn("Skipped a record of {} that is not a delta ({} so far)", topic.name(),
                                skipped.get());
                    }
                    continue;
                }
                add(delta);
            }
        }
    }

    void add(RunDelta delta) {
        synchronized (this) {
            Attempt attempt = runs.computeIfAbsent(delta.runId(), r -> new HashMap<>())
                    .computeIfAbsent(key(delta.stepOrder(), delta.attempt()), k -> new Attempt());
            if (attempt.invocation != null && !attempt.invocation.equals(delta.invocation())) {
                // the attempt was invoked again (after a crash): its answer streams anew
                attempt.deltas.forEach(d -> bytes -= size(d));
                attempt.deltas.clear();
                attempt.ended.complete(null);
                attempt.ended = new CompletableFuture<>();
            }
            attempt.invocation = delta.invocation();
            if (!attempt.deltas.isEmpty() && attempt.deltas.get(attempt.deltas.size() - 1).seq() >= delta.seq()) {
                return; // read again (a redelivered write): already here
            }
            attempt.deltas.add(delta);
            bytes += size(delta);
            if (delta.end()) {
                attempt.ended.complete(null);
            }
            evict(delta.runId());
        }
        for (Consumer<RunDelta> follower : followers.getOrDefault(delta.runId(), Set.of())) {
            try {
                follower.accept(delta);
            } catch (RuntimeException e) {
                unfollow(delta.runId(), follower);
            }
        }
    }

    /** Drops the runs least recently written until the kept deltas fit; then the other attempts of the run. */
    private void evict(String keep) {
        Iterator<Map.Entry<String, Map<String, Attempt>>> eldest = runs.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, Map<String, Attempt>> run = eldest.next();
            if (run.getKey().equals(keep)) {
                continue;
            }
            run.getValue().values().forEach(this::drop);
            eldest.remove();
        }
        Map<String, Attempt> current = runs.get(keep);
        if (bytes > maxBytes && current != null) {
            // one run alone over the bound (a very long answer): its earlier attempts go, then its oldest deltas
            for (Attempt attempt : List.copyOf(current.values())) {
                if (bytes > maxBytes && attempt.ended.isDone()) {
                    drop(attempt);
                    current.values().remove(attempt);
                }
            }
            for (Attempt attempt : current.values()) {
                while (bytes > maxBytes && attempt.deltas.size() > 1) {
                    bytes -= size(attempt.deltas.remove(0));
                }
            }
        }
    }

    private void drop(Attempt attempt) {
        attempt.deltas.forEach(d -> bytes -= size(d));
        attempt.deltas.clear();
        attempt.ended.complete(null); // nobody waits for what is gone
    }

    /** What a kept delta takes, about: the record, its strings (two bytes a character) and the list's slot. */
    private static long size(RunDelta delta) {
        return 160 + 2L * (length(delta.runId()) + length(delta.kind()) + length(delta.invocation())
                + length(delta.text()) + length(delta.tool()));
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private static String key(int stepOrder, int attempt) {
        return stepOrder + ":" + attempt;
    }

    @Override
    public synchronized List<RunDelta> deltas(String runId, int stepOrder, int attempt, long afterSeq) {
        Map<String, Attempt> run = runs.get(runId);
        Attempt found = run == null ? null : run.get(key(stepOrder, attempt));
        if (found == null) {
            return List.of();
        }
        return found.deltas.stream().filter(d -> d.seq() > afterSeq).toList();
    }

    @Override
    public synchronized CompletableFuture<Void> ended(String runId, int stepOrder, int attempt) {
        Map<String, Attempt> run = runs.get(runId);
        Attempt found = run == null ? null : run.get(key(stepOrder, attempt));
        return found == null ? null : found.ended;
    }

    @Override
    public Runnable follow(String runId, Consumer<RunDelta> follower) {
        followers.compute(runId, (r, set) -> {
            Set<Consumer<RunDelta>> next = set == null ? ConcurrentHashMap.newKeySet() : set;
            next.add(follower); // inside compute: an unfollow of the last other follower cannot detach it
            return next;
        });
        return () -> unfollow(runId, follower);
    }

    private void unfollow(String runId, Consumer<RunDelta> follower) {
        followers.computeIfPresent(runId, (r, set) -> {
            set.remove(follower);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
