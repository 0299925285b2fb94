package dev.agentflow.processor.agent;

import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunCommand;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads agent requests, invokes their agents outside any stream thread, and reports each outcome
 * as a {@link RunCommand.RecordAgentResult} on run-commands. A request's offset is committed only
 * once its result is acknowledged and every earlier request of its partition is too, so after a
 * crash every unanswered request is invoked again (at least once); the run decider applies one
 * result per attempt.
 *
 * <p>With in-process dispatch, the run decider hands each request over as soon as it decides it
 * ({@link #dispatchDecided}), a commit interval before its record is readable: the record stays
 * the durable copy. Only requests whose record this worker will read are started early, within
 * the same in-flight limit. When the record arrives, the worker does not invoke it again; it
 * commits its offset once the early invocation's result is recorded (or invokes it after all, if
 * recording failed). A request decided in a transaction that aborts is decided again when the
 * decider reprocesses, under the same idempotency key.
 */
public final class AgentWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);

    private final AgentRegistry agents;
    private final Topic<String, AgentRequest> requests;
    private final Topic<String, CommandEnvelope<RunCommand>> commands;
    private final KafkaConsumer<String, AgentRequest> consumer;
    private final KafkaProducer<String, CommandEnvelope<RunCommand>> producer;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Map<TopicPartition, TreeMap<Long, Boolean>> pending = new HashMap<>();
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final boolean inProcessDispatch;
    private final Map<String, Early> early = new ConcurrentHashMap<>();
    private final ExecutorService dispatcher;
    private volatile Set<Integer> owned = Set.of();
    private volatile int requestPartitions;
    private final AtomicLong startedEarly = new AtomicLong();
    private long lastEviction = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;

    private record Done(TopicPartition partition, long offset) {
    }

    /** A request invoked before its record was read; {@code recorded} completes when its result is written. */
    private record Early(CompletableFuture<Void> recorded, long startedAtNanos) {
    }

    /** Early invocations whose record never came here (another instance reads it, or it aborted). */
    private static final Duration EARLY_KEPT = Duration.ofMinutes(10);

    public AgentWorker(KafkaSettings kafka, AgentRegistry agents, int maxInFlight, boolean inProcessDispatch) {
        this.agents = agents;
        this.inProcessDispatch = inProcessDispatch;
        this.requests = kafka.topics().agentRequests();
        this.commands = kafka.topics().runCommands();
        this.maxInFlight = maxInFlight;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.topics().applicationId("agent-workers"));
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, kafka.topics().applicationId("agent-worker-")
                + kafka.instanceId());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), requests.valueSerde().deserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topic.MAX_MESSAGE_BYTES));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), commands.valueSerde().serializer());
        this.thread = new Thread(this::run, "agentflow-agent-worker");
        this.thread.setDaemon(true);
        this.dispatcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agentflow-agent-dispatch");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(requests.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    Map<TopicPartition, OffsetAndMetadata> commit = answeredPrefix();
                    if (!commit.isEmpty()) {
                        try {
                            consumer.commitSync(commit);
                        } catch (RuntimeException e) {
                            LOG.warn("Commit of agent-request offsets failed on a rebalance; those requests may be"
                                    + " invoked again", e);
                        }
                    }
                    forget(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    forget(partitions);
                }

                private void forget(Collection<TopicPartition> partitions) {
                    partitions.forEach(pending::remove);
                    owned = Set.copyOf(consumer.assignment().stream().filter(tp -> !partitions.contains(tp))
                            .map(TopicPartition::partition).toList());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // offsets resume from the last commit
                    requestPartitions = consumer.partitionsFor(requests.name()).size();
                    owned = Set.copyOf(consumer.assignment().stream().map(TopicPartition::partition).toList());
                }
            });
            while (running) {
                if (inFlight.get() >= maxInFlight) {
                    consumer.pause(consumer.assignment());
                } else {
                    consumer.resume(consumer.paused());
                }
                for (ConsumerRecord<String, AgentRequest> record : consumer.poll(Duration.ofMillis(50))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    pending.computeIfAbsent(tp, k -> new TreeMap<>()).put(record.offset(), false);
                    if (record.value() == null) {
                        done.add(new Done(tp, record.offset()));
                        continue;
                    }
                    Early started = early.remove(record.value().idempotencyKey());
                    if (started != null) {
                        awaitEarly(started, tp, record.offset(), record.value());
                    } else {
                        dispatch(tp, record.offset(), record.value());
                    }
                }
                evictEarly();
                commitDone();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Agent worker stopped", e);
        } finally {
            try {
                commitDone();
            } catch (RuntimeException e) {
                LOG.warn("Could not commit the last agent-request offsets", e);
            }
            consumer.close();
            stopped.countDown();
        }
    }

    /**
     * Invokes a request the run decider has just decided, before its record is committed. Called
     * on the decider's stream thread, so it only hands the request to the dispatch thread. Starts
     * early only what this worker will read itself (the request's agent-requests partition is
     * assigned here), so another process does not invoke it again, and only below
     * {@code maxInFlight}; everything else waits for its record. A request already started (the
     * decider reprocessing after an aborted transaction) is not started twice.
     */
    public void dispatchDecided(AgentRequest request) {
        if (!inProcessDispatch || !readsHere(request.runId())) {
            return;
        }
        if (inFlight.getAndUpdate(n -> n < maxInFlight ? n + 1 : n) >= maxInFlight) {
            return;
        }
        Early started = new Early(new CompletableFuture<>(), System.nanoTime());
        if (early.putIfAbsent(request.idempotencyKey(), started) != null) {
            inFlight.decrementAndGet();
            return;
        }
        startedEarly.incrementAndGet();
        started.recorded().whenComplete((ok, error) -> inFlight.decrementAndGet());
        try {
            dispatcher.execute(() -> invokeAndRecord(request, started.recorded()));
        } catch (RejectedExecutionException e) {
            early.remove(request.idempotencyKey());
            started.recorded().completeExceptionally(e);
        }
    }

    /** How many requests this worker started before reading their record (for operators and tests). */
    public long startedEarly() {
        return startedEarly.get();
    }

    /** Whether the record keyed {@code runId} lands in a partition this worker reads (the producer's partitioner). */
    private boolean readsHere(String runId) {
        int partitions = requestPartitions;
        return partitions > 0
                && owned.contains(Utils.toPositive(Utils.murmur2(runId.getBytes(StandardCharsets.UTF_8))) % partitions);
    }

    /** The record of an early invocation: committed once its result is recorded, else invoked again. */
    private void awaitEarly(Early started, TopicPartition tp, long offset, AgentRequest request) {
        started.recorded().whenComplete((ok, error) -> {
            if (error == null) {
                done.add(new Done(tp, offset));
            } else {
                dispatch(tp, offset, request);
            }
        });
    }

    private void evictEarly() {
        long now = System.nanoTime();
        if (now - lastEviction < Duration.ofSeconds(10).toNanos()) {
            return;
        }
        lastEviction = now;
        early.values().removeIf(e -> e.recorded().isDone() && now - e.startedAtNanos() > EARLY_KEPT.toNanos());
    }

    /**
     * Invokes a request read from its record. Its offset counts as done once the result is
     * recorded, or once recording has failed: the run decider's step timeout then retries the
     * step as a new attempt, and the partition's later requests are not held back.
     */
    private void dispatch(TopicPartition tp, long offset, AgentRequest request) {
        inFlight.incrementAndGet();
        CompletableFuture<Void> recorded = new CompletableFuture<>();
        recorded.whenComplete((ok, error) -> {
            inFlight.decrementAndGet();
            done.add(new Done(tp, offset));
        });
        invokeAndRecord(request, recorded);
    }

    /** Invokes the agent and writes its outcome as a RecordAgentResult; {@code recorded} tells how that went. */
    private void invokeAndRecord(AgentRequest request, CompletableFuture<Void> recorded) {
        agents.invoke(request).whenComplete((outcome, error) -> {
            AgentOutcome result = error == null ? outcome
                    : AgentOutcome.error("agent " + request.agentId() + " failed: " + error.getMessage(), true);
            RunCommand.RecordAgentResult command = new RunCommand.RecordAgentResult(request.runId(),
                    request.stepOrder(), request.attempt(), result);
            CommandEnvelope<RunCommand> envelope = new CommandEnvelope<>(Ids.jobId(), "RecordAgentResult",
                    request.runId(), Instant.now(), command);
            try {
                producer.send(new ProducerRecord<>(commands.name(), request.runId(), envelope), (metadata, sent) -> {
                    if (sent == null) {
                        recorded.complete(null);
                    } else {
                        notRecorded(request, sent, recorded);
                    }
                });
            } catch (RuntimeException e) {
                notRecorded(request, e, recorded);
            }
        });
    }

    private static void notRecorded(AgentRequest request, Exception e, CompletableFuture<Void> recorded) {
        LOG.error("Could not record the result of {}; its step timeout will retry it", request.idempotencyKey(), e);
        recorded.completeExceptionally(e);
    }

    /** Commits, per partition, past the longest prefix of answered requests. */
    private void commitDone() {
        Map<TopicPartition, OffsetAndMetadata> commit = answeredPrefix();
        if (!commit.isEmpty()) {
            consumer.commitAsync(commit, (offsets, e) -> {
                if (e != null) {
                    LOG.warn("Commit of agent-request offsets failed; those requests may be invoked again", e);
                }
            });
        }
    }

    /** The offset after the longest prefix of answered requests, per partition, taken out of {@code pending}. */
    private Map<TopicPartition, OffsetAndMetadata> answeredPrefix() {
        Done d;
        while ((d = done.poll()) != null) {
            TreeMap<Long, Boolean> offsets = pending.get(d.partition());
            if (offsets != null && offsets.containsKey(d.offset())) {
                offsets.put(d.offset(), true);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        pending.forEach((tp, offsets) -> {
            Long next = null;
            while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
                next = offsets.pollFirstEntry().getKey() + 1;
            }
            if (next != null) {
                commit.put(tp, new OffsetAndMetadata(next));
            }
        });
        return commit;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            stopped.await(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
