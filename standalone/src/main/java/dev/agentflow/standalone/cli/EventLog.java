package dev.agentflow.standalone.cli;

import dev.agentflow.schemas.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a topic once, from the beginning (or from an instant) to the end it had when the read
 * began, with a plain consumer: partitions assigned, no consumer group, no offsets committed, so
 * reading changes nothing on the cluster. Only committed records are read. A record that is not a
 * JSON event is reported and skipped, never a reason to stop.
 */
final class EventLog implements AutoCloseable {

    /** One stored event: where it is, its stored JSON text and that text parsed. */
    record Entry(String topic, int partition, long offset, String key, String json, JsonNode event) {

        String type() {
            return event.path("type").asString("?");
        }

        Instant occurredAt() {
            return Instant.parse(event.path("occurredAt").asString());
        }
    }

    /** One record as it is on its topic, for the topics that hold no events (dead letters). */
    record Raw(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, Headers headers) {
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Duration timeout;

    EventLog(Map<String, Object> client, Duration timeout) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "agentflow-replay");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.timeout = timeout;
    }

    /**
     * Every event of {@code topic} that {@code keep} accepts, in partition and offset order; each
     * record that is not an event is told to {@code skipped} (a sentence naming where it is and why).
     *
     * @param from the first instant of interest: partitions start at the first record stamped at or
     *             after it (events are stamped with their {@code occurredAt}); null reads everything
     * @throws org.apache.kafka.common.errors.TimeoutException when the cluster does not answer in time,
     *         or the read makes no progress for that long (the broker went away mid-read)
     * @throws IllegalStateException when the topic does not exist
     */
    List<Entry> read(String topic, Instant from, Predicate<Entry> keep, Consumer<String> skipped) {
        List<Entry> entries = new ArrayList<>();
        readRaw(topic, from, r -> {
            if (r.value() == null) {
                return;
            }
            String json = new String(r.value(), StandardCharsets.UTF_8);
            Entry entry;
            try {
                JsonNode event = Json.mapper().readTree(json);
                if (!event.isObject() || !event.path("type").isString() || !event.path("occurredAt").isString()) {
                    throw new IllegalArgumentException("not an event envelope (type and occurredAt are required)");
                }
                Instant.parse(event.path("occurredAt").asString());
                entry = new Entry(r.topic(), r.partition(), r.offset(),
                        r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), json, event);
            } catch (JacksonException | IllegalArgumentException | java.time.format.DateTimeParseException e) {
                skipped.accept("skipped the record at " + r.topic() + "-" + r.partition() + "@" + r.offset()
                        + ": " + (e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage()));
                return;
            }
            if (keep.test(entry)) {
                entries.add(entry);
            }
        });
        return entries;
    }

    /**
     * Hands each record of {@code topic}, from {@code from} (null: the beginning) to the end it had
     * when the read began, to {@code each} as it is read.
     */
    void readRaw(String topic, Instant from, Consumer<Raw> each) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("Topic " + topic + " does not exist (check --topic-prefix)");
        }
        List<TopicPartition> partitions = infos.stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        seek(partitions, from, end);

        Set<TopicPartition> pending = new HashSet<>(partitions);
        pending.removeIf(p -> consumer.position(p, timeout) >= end.get(p));
        Map<TopicPartition, Long> positions = positions(pending);
        long stalledSince = System.nanoTime();
        while (!pending.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    each.accept(new Raw(r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(),
                            r.headers()));
                }
            }
            pending.removeIf(p -> consumer.position(p, timeout) >= end.get(p));
            // Positions only move while fetches succeed: a broker that went away leaves them still
            Map<TopicPartition, Long> now = positions(pending);
            if (!now.equals(positions)) {
                positions = now;
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > timeout.toNanos()) {
                throw new TimeoutException("No progress reading " + topic + " for " + timeout.toMillis()
                        + " ms: has the cluster gone away?");
            }
        }
        consumer.assign(List.of());
    }

    private Map<TopicPartition, Long> positions(Set<TopicPartition> partitions) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        partitions.forEach(p -> positions.put(p, consumer.position(p, timeout)));
        return positions;
    }

    private void seek(List<TopicPartition> partitions, Instant from, Map<TopicPartition, Long> end) {
        if (from == null) {
            consumer.seekToBeginning(partitions);
            return;
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, from.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
        for (TopicPartition p : partitions) {
            OffsetAndTimestamp at = found.get(p);
            consumer.seek(p, at == null ? end.get(p) : at.offset());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
