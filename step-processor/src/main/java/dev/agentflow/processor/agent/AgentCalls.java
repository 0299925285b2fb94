package dev.agentflow.processor.agent;

import dev.agentflow.runtime.kafka.DeadLetters;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.payload.PayloadTooLargeException;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunCommand;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent call from request to result: resolves the request's input from the payload topic,
 * invokes the agent on the worker's own threads (never a poll, payload-reader or Kafka I/O thread),
 * seals the outcome (size checks, large payloads stored, messages bounded) and writes it as a
 * {@link RunCommand.RecordAgentResult} on run-commands. Every attempt ends in exactly one result,
 * whatever is thrown on the way.
 */
final class AgentCalls implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AgentCalls.class);

    private final AgentRegistry agents;
    private final PayloadStore payloads;
    private final Topic<String, CommandEnvelope<RunCommand>> commands;
    private final KafkaProducer<String, CommandEnvelope<RunCommand>> producer;
    /** Where agents are invoked and their outcomes sealed. */
    private final ExecutorService work;
    /** Told of each payload a call holds until its {@code recorded} completes (flow control). */
    private final BiConsumer<Payload, CompletableFuture<Void>> held;

    /** What each call ended in, and how long it took. */
    private final AgentCallMetrics metrics;

    /** @param maxInFlight calls in flight at most, so the work queue never holds more */
    AgentCalls(KafkaSettings kafka, AgentRegistry agents, PayloadStore payloads, int maxInFlight,
               BiConsumer<Payload, CompletableFuture<Void>> held, AgentCallMetrics metrics) {
        this.metrics = metrics;
        this.agents = agents;
        this.payloads = payloads;
        this.held = held;
        this.commands = kafka.topics().runCommands();
        Properties p = new Properties();
        p.putAll(kafka.client());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), commands.valueSerde().serializer());
        this.work = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, maxInFlight)), daemon("agentflow-agent-work"));
    }

    /**
     * Resolves the input, invokes the agent, seals its outcome (size checks, large payloads stored)
     * and writes it as a RecordAgentResult; {@code recorded} tells how that went, and always
     * completes, whatever is thrown on the way.
     */
    void invokeAndRecord(AgentRequest request, CompletableFuture<Void> recorded, String traceparent) {
        long start = System.nanoTime();
        AtomicReference<AgentOutcome> result = new AtomicReference<>();
        metrics.started(request);
        RecordTracing tracing = RecordTracing.current();
        Span span = tracing.start("agent " + request.agentId(), traceparent, null).tag("runId", request.runId())
                .tag("step", Integer.toString(request.stepOrder())).tag("attempt", Integer.toString(request.attempt()));
        recorded.whenComplete((ok, error) -> {
            AgentOutcome outcome = error == null ? result.get() : null;
            metrics.ended(request, outcome, System.nanoTime() - start);
            span.tag("outcome", AgentCallMetrics.outcome(outcome));
            if (error != null) {
                span.error(error);
            }
            span.end();
        });
        try {
            held.accept(request.input(), recorded);
            payloads.resolve(request.input())
                    .exceptionally(e -> {
                        throw new InputUnavailable(e);
                    })
                    .thenApply(text -> request.withInput(Payload.ofNullable(text)))
                    .thenComposeAsync(resolved -> {
                        try (RunLogContext logged = RunLogContext.of(request);
                             Tracer.SpanInScope scope = tracing.inScope(span)) {
                            return agents.invoke(resolved).thenApplyAsync(outcome -> {
                                held.accept(outcome == null ? null : outcome.output(), recorded);
                                return new Answer(resolved, outcome);
                            }, work);
                        }
                    }, work)
                    .thenCompose(answer -> seal(request, answer.resolved().input(), answer.outcome()))
                    .exceptionally(e -> PayloadStore.cause(e) instanceof InputUnavailable unavailable
                            ? AgentOutcome.error("agent " + request.agentId() + ": cannot read the input of step "
                            + request.stepOrder() + ": " + DeadLetters.reason(unavailable.getCause()), true)
                            : AgentRegistry.failed(request, e))
                    .whenComplete((outcome, error) -> {
                        result.set(outcome);
                        record(request, outcome, recorded, span);
                    });
        } catch (Throwable e) {
            notRecorded(request, e, recorded);
        }
    }

    /** Writes the outcome as a RecordAgentResult, which carries the call's trace context to the decider. */
    private void record(AgentRequest request, AgentOutcome outcome, CompletableFuture<Void> recorded, Span span) {
        if (outcome != null && outcome.error() != null) {
            // the run's ids and its trace in the line's context (MDC), for whoever reads the logs
            try (RunLogContext logged = RunLogContext.of(request);
                 Tracer.SpanInScope scope = RecordTracing.current().inScope(span)) {
                LOG.warn("Agent {} failed attempt {} of step {}{}: {}", request.agentId(), request.attempt(),
                        request.stepOrder(), outcome.error().retryable() ? " (retryable)" : "",
                        outcome.error().message());
            }
        }
        try {
            RunCommand.RecordAgentResult command = new RunCommand.RecordAgentResult(request.runId(),
                    request.stepOrder(), request.attempt(), outcome);
            CommandEnvelope<RunCommand> envelope = new CommandEnvelope<>(Ids.jobId(), "RecordAgentResult",
                    request.runId(), Instant.now(), command);
            ProducerRecord<String, CommandEnvelope<RunCommand>> result = new ProducerRecord<>(commands.name(),
                    request.runId(), envelope);
            RecordTracing.current().inject(span, result.headers());
            producer.send(result, (metadata, sent) -> {
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
        try (RunLogContext logged = RunLogContext.of(request)) {
            LOG.error("Could not record the result of {}; its step timeout will retry it", request.idempotencyKey(),
                    e);
        }
        recorded.completeExceptionally(e);
    }

    /** Daemon threads named {@code name-1}, {@code name-2}, ... */
    static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        work.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
