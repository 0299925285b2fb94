package dev.agentflow.runtime.kafka;

import dev.agentflow.runtime.decider.Decider;
import dev.agentflow.runtime.decider.Decision;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.TypeRegistry;
import dev.agentflow.schemas.payload.CarriesPayloads;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The one decider runtime: runs any {@link Decider} over the commands of its topic, keyed by
 * aggregate id. For each command it loads the state, decides with the processing time, and, when
 * accepted, folds each event, wraps it in an envelope with the next aggregate version and the actor
 * (the command's, else the one the state remembers: {@link Decider#actor}), forwards the
 * events, stores the state, forwards what the events ask for ({@link Routes#route}) and replies. A
 * rejection forwards only its reply. Everything is decided before anything is written, so a decider
 * that throws leaves nothing behind; under exactly_once_v2 all of it commits in one transaction.
 * A topology with more to do (timers) extends it and hooks {@link #stored}.
 *
 * @param <C> command type
 * @param <S> state type
 * @param <E> event type
 * @param <R> reaction type
 */
public class DeciderProcessor<C, S, E, R> implements Processor<String, CommandEnvelope<C>, String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(DeciderProcessor.class);

    /**
     * Where a decider's output goes.
     *
     * @param stateStore  the aggregate states, by aggregate id
     * @param eventsSink  the sink of the event topic
     * @param repliesSink the sink of command-replies
     * @param eventTypes  the event type names of the envelopes
     * @param routes      where each reaction goes, and which commands are answered
     */
    public record Spec<C, S, E, R>(Decider<C, S, E, R> decider, String stateStore, String eventsSink,
                                   String repliesSink, TypeRegistry<E> eventTypes, Routes<C, R> routes) {
    }

    /** How a topology forwards reactions and which commands it answers. */
    public interface Routes<C, R> {

        /** Forwards one reaction of an event caused by {@code cause}. */
        void route(R reaction, CommandEnvelope<C> cause, Instant now, Forward forward);

        /**
         * Whether the command gets a reply, given the reactions its events caused (none for a
         * rejection); a command whose reactions complete the operation leaves the reply to them.
         */
        boolean replies(C command, List<R> reactions);
    }

    /** Forwards a record to a sink of the topology. */
    @FunctionalInterface
    public interface Forward {
        void to(String sink, String key, Object value);
    }

    private final Spec<C, S, E, R> spec;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, S> states;

    public DeciderProcessor(Spec<C, S, E, R> spec) {
        this.spec = spec;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.states = context.getStateStore(spec.stateStore());
    }

    protected final ProcessorContext<String, Object> context() {
        return context;
    }

    @Override
    public void process(Record<String, CommandEnvelope<C>> record) {
        CommandEnvelope<C> command = record.value();
        if (command == null || command.data() == null || record.key() == null) {
            LOG.warn("Skipping an empty command at key {}", record.key());
            return;
        }
        handle(record.key(), command, record.headers());
    }

    /**
     * The key under which every log line of a command's processing carries its aggregate's id, in
     * the logging context (MDC; structured logs show it as a field).
     */
    protected String logKey() {
        return "aggregateId";
    }

    /** What the spans of this decider are named: this, then the command's type. */
    protected String spanName() {
        return "decide";
    }

    /**
     * The trace context a stored state keeps (a run's: its every hop joins the run's trace), or null
     * to continue the one the command's record carries.
     */
    protected String traceparent(S state) {
        return null;
    }

    /** Decides {@code command} (of no record: a timer) for aggregate {@code id} and writes what follows. */
    protected final void handle(String id, CommandEnvelope<C> command) {
        handle(id, command, null);
    }

    /**
     * Decides {@code command} for aggregate {@code id} and writes what follows, in a span of the
     * trace its state keeps or its record carries (what it writes carries the span's context); the
     * logs say which aggregate and trace.
     */
    private void handle(String id, CommandEnvelope<C> command, Headers headers) {
        S stored = states.get(id);
        RecordTracing tracing = RecordTracing.current();
        Span span = tracing.start(spanName() + " " + command.type(),
                stored == null ? null : traceparent(stored), headers).tag(logKey(), id);
        try (MDC.MDCCloseable logged = MDC.putCloseable(logKey(), id);
             Tracer.SpanInScope scope = tracing.inScope(span)) {
            decide(id, command, stored);
        } catch (RuntimeException e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private void decide(String id, CommandEnvelope<C> command, S stored) {
        Decider<C, S, E, R> decider = spec.decider();
        S state = Objects.requireNonNullElseGet(stored, decider::initialState);
        long nowMs = context.currentSystemTimeMs();
        Instant now = Instant.ofEpochMilli(nowMs);
        Decision<E> decision = decider.decide(command.data(), state, now);
        if (decision instanceof Decision.Rejected<E> rejected) {
            if (spec.routes().replies(command.data(), List.of())) {
                forward(spec.repliesSink(), command.commandId(),
                        CommandReply.rejected(command.commandId(), id, rejected.rejection()), nowMs);
            }
            return;
        }
        List<E> events = ((Decision.Accepted<E>) decision).events();
        String actor = command.actor() != null ? command.actor() : decider.actor(state);
        S before = state;
        List<EventEnvelope<E>> envelopes = new ArrayList<>();
        List<R> reactions = new ArrayList<>();
        for (E event : events) {
            state = decider.evolve(state, event);
            envelopes.add(new EventEnvelope<>(Ids.eventId(), spec.eventTypes().nameOf(event),
                    CarriesPayloads.schemaVersionOf(event), id, decider.version(state), now, command.commandId(),
                    actor, event));
            reactions.addAll(decider.react(state, event));
        }
        envelopes.forEach(envelope -> forward(spec.eventsSink(), id, envelope, nowMs));
        if (!events.isEmpty()) {
            if (command.actor() != null) {
                state = decider.actedBy(state, command.actor());
            }
            state = storing(id, before, state, events, now);
            states.put(id, state);
            stored(id, before, state);
        }
        for (R reaction : reactions) {
            spec.routes().route(reaction, command, now, (sink, key, value) -> forward(sink, key, value, nowMs));
        }
        if (spec.routes().replies(command.data(), reactions)) {
            forward(spec.repliesSink(), command.commandId(),
                    CommandReply.accepted(command.commandId(), id, decider.version(state)), nowMs);
        }
    }

    /**
     * Called with the changed state before it is stored, and the events that changed it: what it
     * returns is stored (the same state by default; a topology may stamp it with the time, or count
     * what happened for its metrics).
     */
    protected S storing(String id, S before, S after, List<E> events, Instant now) {
        return after;
    }

    /** Called after a changed state is stored, before the reactions are forwarded. */
    protected void stored(String id, S before, S after) {
    }

    /** Forwards a record that carries the current span's trace context. */
    private void forward(String sink, String key, Object value, long timestamp) {
        context.forward(new Record<>(key, value, timestamp, RecordTracing.current().inject(new RecordHeaders())), sink);
    }
}
