package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.ReadProgress;
import dev.agentflow.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.springframework.http.HttpStatus;

/**
 * Lets a read that finds nothing tell "not there" from "not read yet": it waits until this
 * instance's projection has read the partition a key falls in up to where that partition ended
 * when the read began. Whatever was written before (a {@code StartRun} the API answered 202 for, on
 * any instance; a workflow another instance answered 201 for) is then in the views, or never was.
 * Only reads that miss pay for it: one offset lookup, and usually no wait.
 *
 * <p>The projection tells it the offset of every record it reads ({@link ReadProgress}); after a
 * restart, before it has read anything new, the offsets its application committed say the same.
 */
public final class CaughtUp implements ReadProgress, AutoCloseable {

    /** How often a waiting read asks for the committed offset again. */
    private static final long RECHECK_MS = 100;

    private final Admin admin;
    private final String groupId;
    private final Duration timeout;
    private final Map<TopicPartition, Long> read = new ConcurrentHashMap<>();
    private final Thresholds<TopicPartition> waiting = new Thresholds<>();
    private final Map<String, Integer> partitions = new ConcurrentHashMap<>();

    /**
     * @param groupId the projection's application id (its consumer group)
     * @param timeout how long a read waits before it answers 503 instead of a 404 it cannot be sure of
     */
    public CaughtUp(Map<String, Object> client, String groupId, Duration timeout) {
        this.admin = Admin.create(client);
        this.groupId = groupId;
        this.timeout = timeout;
    }

    @Override
    public void read(String topic, int partition, long offset) {
        TopicPartition tp = new TopicPartition(topic, partition);
        waiting.reached(tp, read.merge(tp, offset, Math::max));
    }

    /**
     * Blocks until the projection has read the partition of {@code topic} that {@code key} falls in
     * up to its end now.
     *
     * @param transactional whether the topic is written in transactions only, so that its end may
     *                      lie one commit marker past its last record
     * @throws ApiException 503 when that takes longer than the timeout
     */
    public void await(String topic, String key, boolean transactional) {
        try {
            whenRead(topic, key, transactional).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "The views of this instance have not read "
                    + topic + " up to now yet, so they cannot tell whether " + key + " exists; retry", List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Interrupted", List.of());
        }
    }

    CompletableFuture<Void> whenRead(String topic, String key, boolean transactional) {
        return partitionOf(topic, key).thenCompose(tp -> endOf(tp).thenCompose(end -> {
            long last = end - (transactional ? 2 : 1);
            if (last < 0 || read.getOrDefault(tp, -1L) >= last) {
                return CompletableFuture.completedFuture(null);
            }
            return committed(tp).thenCompose(committed -> {
                if (committed >= end) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> done = new CompletableFuture<Void>()
                        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
                CompletableFuture<Void> reached = waiting.whenReached(tp, last, () -> read.getOrDefault(tp, -1L));
                reached.thenRun(() -> done.complete(null));
                // however it ends (read, committed past a marker, timed out), the waiter goes
                done.whenComplete((ok, error) -> reached.complete(null));
                // a topic some write in transactions (run-commands: a start claimed under an idempotency
                // key) may end in a commit marker, never read as a record: the application's committed
                // offset passes it once it has read everything before
                recheckCommitted(tp, end, done, System.nanoTime() + timeout.toNanos());
                return done;
            });
        })).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void recheckCommitted(TopicPartition tp, long end, CompletableFuture<Void> done, long deadline) {
        CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(RECHECK_MS, TimeUnit.MILLISECONDS))
                .thenCompose(ignored -> done.isDone() ? CompletableFuture.completedFuture(-1L) : committed(tp))
                .whenComplete((committed, error) -> {
                    if (committed != null && committed >= end) {
                        done.complete(null);
                    } else if (!done.isDone() && System.nanoTime() < deadline) {
                        recheckCommitted(tp, end, done, deadline);
                    }
                });
    }

    private CompletableFuture<TopicPartition> partitionOf(String topic, String key) {
        Integer known = partitions.get(topic);
        CompletionStage<Integer> count = known != null ? CompletableFuture.completedFuture(known)
                : admin.describeTopics(List.of(topic)).allTopicNames().toCompletionStage()
                        .thenApply(d -> partitions.computeIfAbsent(topic, t -> d.get(t).partitions().size()));
        return count.toCompletableFuture().thenApply(n -> new TopicPartition(topic,
                BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), n)));
    }

    /** The partition's end as a read_committed reader sees it. */
    private CompletableFuture<Long> endOf(TopicPartition tp) {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                .partitionResult(tp).toCompletionStage().toCompletableFuture().thenApply(r -> r.offset());
    }

    /** Where the projection's application last committed it was in the partition (-1 for nowhere). */
    private CompletableFuture<Long> committed(TopicPartition tp) {
        return admin.listConsumerGroupOffsets(Map.of(groupId,
                        new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(tp))))
                .partitionsToOffsetAndMetadata(groupId).toCompletionStage().toCompletableFuture().thenApply(offsets -> {
                    OffsetAndMetadata at = offsets.get(tp);
                    return at == null ? -1L : at.offset();
                });
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
