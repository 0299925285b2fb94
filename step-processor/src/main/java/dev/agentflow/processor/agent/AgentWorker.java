package dev.agentflow.processor.agent;

import dev.agentflow.runtime.kafka.DeadLetterPublisher;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.runtime.kafka.DeadLetters;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.payload.PayloadTooLargeException;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.ApprovalRequest;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
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
 *
 * <p>Every attempt ends in exactly one result, whatever happens: the input is resolved from the
 * payload topic before the agent sees it; an output over {@code agentflow.limits.max-payload-bytes}
 * fails the step at once (not retryably); a large output is stored on the payload topic and
 * travels by reference; an agent that throws anything, an {@link Error} included, fails its
 * attempt and frees its slot. A record that is not an agent request is copied to the dead-letter
 * topic and skipped.
 *
 * <p>This is a consumer loop of our own rather than a Spring for Apache Kafka listener container:
 * with out-of-order acknowledgements ({@code asyncAcks}) a container delivers nothing new until
 * every record of the previous poll is acknowledged, so one agent that takes minutes would hold
 * every other run's steps back. Dead letters go through Spring's {@code DeadLetterPublishingRecoverer}.
 */
public final class AgentWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentWorker.class);

    private final AgentRegistry agents;
    private final PayloadStore payloads;
    private final DeadLetterPublisher deadLetters;
    private final Topic<String, AgentRequest> requests;
    private final Topic<String, CommandEnvelope<RunCommand>> commands;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, CommandEnvelope<RunCommand>> producer;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Payload bytes held by the calls in flight (inputs, and outputs once produced). */
    private final AtomicLong bytesInFlight = new AtomicLong();
    private final long maxBytesInFlight;
    /** Where agents are invoked and their outcomes sealed: never a poll, reader or I/O thread. */
    private final ExecutorService work;
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

    /**
     * @param maxInFlight      agent calls in flight before the worker stops fetching
     * @param maxBytesInFlight payload bytes held by the calls in flight before it stops fetching
     */
    public AgentWorker(KafkaSettings kafka, AgentRegistry agents, PayloadStore payloads,
                       DeadLetterPublisher deadLetters, int maxInFlight, long maxBytesInFlight,
                       boolean inProcessDispatch) {
        this.agents = agents;
        this.maxBytesInFlight = maxBytesInFlight;
        this.payloads = payloads;
        this.deadLetters = deadLetters;
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
        this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), commands.valueSerde().serializer());
        this.thread = new Thread(this::run, "agentflow-agent-worker");
        this.thread.setDaemon(true);
        // Only requests within maxInFlight are handed over, and each has at most one task queued at
        // a time, so neither queue ever holds more than that.
        this.dispatcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, maxInFlight)), daemon("agentflow-agent-dispatch"));
        this.work = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, maxInFlight)), daemon("agentflow-agent-work"));
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
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
                if (inFlight.get() >= maxInFlight || bytesInFlight.get() >= maxBytesInFlight) {
                    consumer.pause(consumer.assignment());
                } else {
                    consumer.resume(consumer.paused());
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    pending.computeIfAbsent(tp, k -> new TreeMap<>()).put(record.offset(), false);
                    AgentRequest request;
                    try {
                        request = decode(record);
                    } catch (RuntimeException e) {
                        deadLetter(record, e);
                        request = null;
                    }
                    if (request == null) {
                        done.add(new Done(tp, record.offset()));
                        continue;
                    }
                    Early started = early.remove(request.idempotencyKey());
                    if (started != null) {
                        awaitEarly(started, tp, record.offset(), request);
                    } else {
                        dispatch(tp, record.offset(), request);
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
        if (!inProcessDispatch || !readsHere(request.runId()) || bytesInFlight.get() >= maxBytesInFlight) {
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

    /**
     * Resolves the input, invokes the agent, seals its outcome (size checks, large payloads stored)
     * and writes it as a RecordAgentResult; {@code recorded} tells how that went, and always
     * completes, whatever is thrown on the way.
     */
    private void invokeAndRecord(AgentRequest request, CompletableFuture<Void> recorded) {
        try {
            held(request.input(), recorded);
            payloads.resolve(request.input())
                    .exceptionally(e -> {
                        throw new InputUnavailable(e);
                    })
                    .thenApply(text -> request.withInput(Payload.ofNullable(text)))
                    .thenComposeAsync(resolved -> agents.invoke(resolved).thenApplyAsync(outcome -> {
                        held(outcome == null ? null : outcome.output(), recorded);
                        return new Answer(resolved, outcome);
                    }, work), work)
                    .thenCompose(answer -> seal(request, answer.resolved().input(), answer.outcome()))
                    .exceptionally(e -> PayloadStore.cause(e) instanceof InputUnavailable unavailable
                            ? AgentOutcome.error("agent " + request.agentId() + ": cannot read the input of step "
                            + request.stepOrder() + ": " + DeadLetters.reason(unavailable.getCause()), true)
                            : AgentRegistry.failed(request, e))
                    .whenComplete((outcome, error) -> record(request, outcome, recorded));
        } catch (Throwable e) {
            notRecorded(request, e, recorded);
        }
    }

    private void record(AgentRequest request, AgentOutcome outcome, CompletableFuture<Void> recorded) {
        try {
            RunCommand.RecordAgentResult command = new RunCommand.RecordAgentResult(request.runId(),
                    request.stepOrder(), request.attempt(), outcome);
            CommandEnvelope<RunCommand> envelope = new CommandEnvelope<>(Ids.jobId(), "RecordAgentResult",
                    request.runId(), Instant.now(), command);
            producer.send(new ProducerRecord<>(commands.name(), request.runId(), envelope), (metadata, sent) -> {
                if (sent == null) {
                    recorded.complete(null);
                } else {
                    notRecorded(request, sent, recorded);
                }
            });
        } catch (Throwable e) {
            notRecorded(request, e, recorded);
        }
    }

    /** An agent's outcome, with the request as the agent saw it (its input resolved). */
    private record Answer(AgentRequest resolved, AgentOutcome outcome) {
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
     * The outcome as it may be written: an output or proposed output over the payload limit fails
     * the step (not retryably); a large one is stored and travels by reference (the request's own
     * reference when the agent hands back its input unchanged, as echo does); messages, reasons
     * and tool arguments are bounded.
     *
     * @param resolvedInput the input as the agent saw it (resolved)
     */
    CompletableFuture<AgentOutcome> seal(AgentRequest request, Payload resolvedInput, AgentOutcome outcome) {
        String step = "step " + request.stepOrder() + " (agent " + request.agentId() + ")";
        if (outcome == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (outcome.output() != null) {
            return stored(request, resolvedInput, outcome.output(), "output of " + step)
                    .thenApply(stored -> stored.error() != null ? new AgentOutcome(null, null, stored.error())
                            : AgentOutcome.output(stored.payload()));
        }
        if (outcome.approval() != null) {
            ApprovalRequest approval = outcome.approval();
            Map<String, Object> arguments = approval.arguments();
            if (arguments != null) {
                int bytes = Json.mapper().writeValueAsBytes(arguments).length;
                if (bytes > Limits.MAX_APPROVAL_ARGUMENTS_BYTES) {
                    return CompletableFuture.completedFuture(AgentOutcome.error("the tool arguments of " + step
                            + " are " + bytes + " bytes as JSON, over the limit of "
                            + Limits.MAX_APPROVAL_ARGUMENTS_BYTES, false));
                }
            }
            String tool = approval.tool() == null || approval.tool().length() <= Limits.MAX_TOOL_NAME_CHARS
                    ? approval.tool() : approval.tool().substring(0, Limits.MAX_TOOL_NAME_CHARS);
            ApprovalRequest bounded = new ApprovalRequest(approval.proposedOutput(),
                    Limits.cutError(approval.reason()), tool, arguments);
            return stored(request, resolvedInput, approval.proposedOutput(), "proposed output of " + step)
                    .thenApply(stored -> stored.error() != null ? new AgentOutcome(null, null, stored.error())
                            : AgentOutcome.approval(bounded.withProposedOutput(stored.payload())));
        }
        AgentOutcome.AgentError error = outcome.error();
        return CompletableFuture.completedFuture(error == null ? outcome : new AgentOutcome(null, null,
                new AgentOutcome.AgentError(Limits.cutError(error.message()), error.retryable(),
                        error.retryAfterMs())));
    }

    /** A payload as it may travel, or why it may not. */
    private record Stored(Payload payload, AgentOutcome.AgentError error) {
    }

    private CompletableFuture<Stored> stored(AgentRequest request, Payload resolvedInput, Payload payload,
                                             String what) {
        if (payload == null || payload.isRef()) {
            return CompletableFuture.completedFuture(new Stored(payload, null));
        }
        if (request.input() != null && request.input().isRef() && resolvedInput != null
                && payload.text() == resolvedInput.text()) {
            // the agent handed its input back unchanged: it is stored already
            return CompletableFuture.completedFuture(new Stored(request.input(), null));
        }
        return payloads.externalize(payload.text(), what).handle((stored, e) -> {
            if (e == null) {
                return new Stored(stored, null);
            }
            Throwable cause = PayloadStore.cause(e);
            return new Stored(null, cause instanceof PayloadTooLargeException
                    ? new AgentOutcome.AgentError(cause.getMessage(), false)
                    : new AgentOutcome.AgentError("cannot store the " + what + ": " + DeadLetters.reason(cause), true));
        });
    }

    /** The input of a request could not be read from the payload topic. */
    private static final class InputUnavailable extends RuntimeException {
        InputUnavailable(Throwable cause) {
            super(PayloadStore.cause(cause));
        }
    }

    private static void notRecorded(AgentRequest request, Throwable e, CompletableFuture<Void> recorded) {
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
        work.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
