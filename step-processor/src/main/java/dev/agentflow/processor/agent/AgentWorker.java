package dev.agentflow.processor.agent;

import dev.agentflow.runtime.kafka.DeadLetterPublisher;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

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
 *
 * <p>Every attempt ends in exactly one result, whatever happens: the input is resolved from the
 * payload topic before the agent sees it; an output over {@code agentflow.limits.max-payload-bytes}
 * fails the step at once (not retryably); a large output is stored on the payload topic and
 * travels by reference; an agent that throws anything, an {@link Error} included, fails its
 * attempt and frees its slot. A record that is not an agent request is copied to the dead-letter
 * topic and skipped.
 *
 * <p>The worker is the poll loop and its flow control; its parts have one job each:
 * {@link OffsetLedger} (which offsets may be committed), {@link EarlyDispatches} (which requests
 * were started before their record came), {@link AgentCalls} (one call from request to result).
 *
 * <p>This is a consumer loop of our own rather than a Spring for Apache Kafka listener container:
 * with out-of-order acknowledgements ({@code asyncAcks}) a container delivers nothing new until
 * every record of the previous poll is acknowledged, so one agent that takes minutes would hold
 * every other run's steps back. Dead letters go through Spring's {@code DeadLetterPublishingRecoverer}.
 */
public final class AgentWorker implements SmartLifecycle, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);

    private final DeadLetterPublisher deadLetters;
    private final Topic<String, AgentRequest> requests;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AgentCalls calls;
    private final OffsetLedger ledger = new OffsetLedger();
    private final EarlyDispatches early = new EarlyDispatches();
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The requests on its partitions it has not read yet, as of its last poll (its consumer's lag). */
    private final AtomicLong waiting = new AtomicLong();
    /** Payload bytes held by the calls in flight (inputs, and outputs once produced). */
    private final AtomicLong bytesInFlight = new AtomicLong();
    private final long maxBytesInFlight;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final boolean inProcessDispatch;
    private final ExecutorService dispatcher;
    /** The agent-requests partitions assigned here, and how many the topic has. */
    private volatile Set<Integer> owned = Set.of();
    private volatile int requestPartitions;
    private final WorkerShare share;
    private final AtomicLong startedEarly = new AtomicLong();
    private long lastEviction = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;
    /** How long a stop waits for the calls in flight to end and their offsets to be committed. */
    private final Duration shutdownTimeout;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param maxInFlight      agent calls in flight before the worker stops fetching
     * @param maxBytesInFlight payload bytes held by the calls in flight before it stops fetching
     */
    public AgentWorker(KafkaSettings kafka, AgentRegistry agents, PayloadStore payloads,
                       DeadLetterPublisher deadLetters, int maxInFlight, long maxBytesInFlight,
                       boolean inProcessDispatch, WorkerShare share, AgentCallMetrics metrics,
                       Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
        this.share = share;
        this.maxBytesInFlight = maxBytesInFlight;
        this.deadLetters = deadLetters;
        this.inProcessDispatch = inProcessDispatch;
        this.requests = kafka.topics().agentRequests();
        this.maxInFlight = maxInFlight;
        Properties c = new Properties();
        c.putAll(kafka.client());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.topics().applicationId("agent-workers"));
        c.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, kafka.topics().applicationId("agent-worker-")
                + kafka.instanceId());
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        this.calls = new AgentCalls(kafka, agents, payloads, maxInFlight, this::held, metrics);
        metrics.queued(waiting::get);
        this.thread = new Thread(this::run, "agentflow-agent-worker");
        this.thread.setDaemon(true);
        // Only requests within maxInFlight are handed over, and each has at most one task queued at
        // a time, so the queue never holds more than that.
        this.dispatcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, maxInFlight)), AgentCalls.daemon("agentflow-agent-dispatch"));
    }

    /**
     * Starts reading requests once every topology of the process runs (the session store answers
     * the agents' history), in a phase after them; it stops, in the same phase, before they do.
     */
    @Override
    public void start() {
        if (started.compareAndSet(false, true)) {
            thread.start();
        }
    }

    @Override
    public void stop() {
        close();
    }

    @Override
    public boolean isRunning() {
        return started.get() && !closed.get();
    }

    @Override
    public int getPhase() {
        return StreamsApp.PHASE + 2;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(requests.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    Map<TopicPartition, OffsetAndMetadata> commit = ledger.committable();
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
                    ledger.forget(partitions);
                    owned = Set.copyOf(consumer.assignment().stream().filter(tp -> !partitions.contains(tp))
                            .map(TopicPartition::partition).toList());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // offsets resume from the last commit
                    requestPartitions = consumer.partitionsFor(requests.name()).size();
                    owned = Set.copyOf(consumer.assignment().stream().map(TopicPartition::partition).toList());
                    // the rate limits' shares follow the assignment (not a revocation: one always follows)
                    share.owns(owned.size(), requestPartitions);
                }
            });
            while (running) {
                if (inFlight.get() >= maxInFlight || bytesInFlight.get() >= maxBytesInFlight) {
                    consumer.pause(consumer.assignment());
                } else {
                    consumer.resume(consumer.paused());
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    ledger.read(tp, record.offset());
                    AgentRequest request;
                    try {
                        request = decode(record);
                    } catch (RuntimeException e) {
                        deadLetter(record, e);
                        request = null;
                    }
                    if (request == null) {
                        ledger.answered(tp, record.offset());
                        continue;
                    }
                    EarlyDispatches.Early started = early.take(request.idempotencyKey());
                    if (started != null) {
                        awaitEarly(started, tp, record.offset(), request,
                                RecordTracing.traceparent(record.headers()));
                    } else {
                        dispatch(tp, record.offset(), request, RecordTracing.traceparent(record.headers()));
                    }
                }
                evictEarly();
                commitAnswered();
                waiting.set(lag());
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("Agent worker stopped", e);
        } finally {
            try {
                awaitCallsInFlight();
                commitAnswered();
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
        if (!running || !inProcessDispatch || !readsHere(request.runId()) || bytesInFlight.get() >= maxBytesInFlight) {
            return;
        }
        if (inFlight.getAndUpdate(n -> n < maxInFlight ? n + 1 : n) >= maxInFlight) {
            return;
        }
        EarlyDispatches.Early started = early.start(request.idempotencyKey());
        if (started == null) {
            inFlight.decrementAndGet();
            return;
        }
        startedEarly.incrementAndGet();
        started.recorded().whenComplete((ok, error) -> inFlight.decrementAndGet());
        try {
            // decided in the run decider's span, which the call continues
            String decided = RecordTracing.current().traceparent();
            dispatcher.execute(() -> calls.invokeAndRecord(request, started.recorded(), decided));
        } catch (RejectedExecutionException e) {
            early.cancel(request.idempotencyKey());
            started.recorded().completeExceptionally(e);
        }
    }

    /** The lag of its partitions that the consumer knows of (on the poll thread: the consumer is not thread-safe). */
    private long lag() {
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0);
        }
        return lag;
    }

    /** How many requests this worker started before reading their record (for operators and tests). */
    public long startedEarly() {
        return startedEarly.get();
    }

    /**
     * Whether the record keyed {@code runId} lands in a partition this worker reads: the partition
     * Kafka's own partitioner (the one the run decider's producer uses) picks for the key.
     */
    private boolean readsHere(String runId) {
        int partitions = requestPartitions;
        return partitions > 0 && owned.contains(
                BuiltInPartitioner.partitionForKey(runId.getBytes(StandardCharsets.UTF_8), partitions));
    }

    /** The record of an early invocation: committed once its result is recorded, else invoked again. */
    private void awaitEarly(EarlyDispatches.Early started, TopicPartition tp, long offset, AgentRequest request,
                            String traceparent) {
        started.recorded().whenComplete((ok, error) -> {
            if (error == null) {
                ledger.answered(tp, offset);
            } else {
                dispatch(tp, offset, request, traceparent);
            }
        });
    }

    private void evictEarly() {
        long now = System.nanoTime();
        if (now - lastEviction < Duration.ofSeconds(10).toNanos()) {
            return;
        }
        lastEviction = now;
        early.evict();
    }

    /**
     * Invokes a request read from its record. Its offset counts as answered once the result is
     * recorded, or once recording has failed: the run decider's step timeout then retries the
     * step as a new attempt, and the partition's later requests are not held back.
     */
    private void dispatch(TopicPartition tp, long offset, AgentRequest request, String traceparent) {
        inFlight.incrementAndGet();
        CompletableFuture<Void> recorded = new CompletableFuture<>();
        recorded.whenComplete((ok, error) -> {
            inFlight.decrementAndGet();
            ledger.answered(tp, offset);
        });
        calls.invokeAndRecord(request, recorded, traceparent);
    }

    /** An agent request, or null for a tombstone; anything else is not an agent request. */
    private AgentRequest decode(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return null;
        }
        AgentRequest request = requests.valueSerde().deserializer().deserialize(record.topic(), record.value());
        if (request == null || request.runId() == null || request.agentId() == null
                || request.idempotencyKey() == null || request.stepOrder() < 1 || request.attempt() < 1) {
            throw new IllegalArgumentException("not an agent request: runId, agentId, idempotencyKey, stepOrder and"
                    + " attempt are required");
        }
        return request;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, Exception reason) {
        try {
            deadLetters.publish(record, reason);
        } catch (RuntimeException e) {
            LOG.error("Could not copy the record at {}-{}@{} to the dead-letter topic; skipping it anyway",
                    record.topic(), record.partition(), record.offset(), e);
        }
    }

    /** Counts a payload's bytes as held until {@code recorded} completes. */
    private void held(Payload payload, CompletableFuture<Void> recorded) {
        long bytes = payload == null ? 0 : payload.bytes();
        if (bytes > 0) {
            bytesInFlight.addAndGet(bytes);
            recorded.whenComplete((ok, error) -> bytesInFlight.addAndGet(-bytes));
        }
    }

    /**
     * On a stop (nothing new is started): the calls in flight get up to {@link #shutdownTimeout} to
     * end and have their results written; their offsets are committed as they do. The partitions stay
     * paused, and polling keeps the membership and completes the commits. A call still going at the
     * deadline is invoked again after the restart, as after a crash.
     */
    private void awaitCallsInFlight() {
        if (inFlight.get() == 0) {
            return;
        }
        LOG.info("Waiting up to {} for {} agent call(s) in flight", shutdownTimeout, inFlight.get());
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        consumer.pause(consumer.assignment());
        while (inFlight.get() > 0 && deadline - System.nanoTime() > 0) {
            commitAnswered();
            consumer.poll(Duration.ofMillis(50));
        }
        if (inFlight.get() > 0) {
            LOG.warn("{} agent call(s) still in flight after {}: they are invoked again after the restart",
                    inFlight.get(), shutdownTimeout);
        }
    }

    /** Commits, per partition, past the longest prefix of answered requests. */
    private void commitAnswered() {
        Map<TopicPartition, OffsetAndMetadata> commit = ledger.committable();
        if (!commit.isEmpty()) {
            consumer.commitAsync(commit, (offsets, e) -> {
                if (e != null) {
                    LOG.warn("Commit of agent-request offsets failed; those requests may be invoked again", e);
                }
            });
        }
    }

    /** Stops reading, waits for the loop to commit what is answered, and closes the calls' resources; once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        if (!started.get()) {
            consumer.close();
            dispatcher.shutdown();
            calls.close();
            return;
        }
        consumer.wakeup();
        try {
            stopped.await(shutdownTimeout.toSeconds() + 15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher.shutdown();
        calls.close();
    }
}
