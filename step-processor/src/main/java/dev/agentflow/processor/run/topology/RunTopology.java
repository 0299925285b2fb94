package dev.agentflow.processor.run.topology;

import dev.agentflow.processor.run.domain.RunDecider;
import dev.agentflow.processor.run.domain.RunState;
import dev.agentflow.runtime.kafka.DeciderProcessor;
import dev.agentflow.runtime.kafka.IdempotencyProcessor;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunCommand.FireTimer;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * run-commands → run-idempotency-processor (owns run-idempotency-store; a start sent with an
 * {@code Idempotency-Key} goes back to run-commands once, keyed by its run) → run-command-processor
 * (owns run-state-store and run-pending-timer-store) → run-events, agent-requests, command-replies. A run's pending timer (step timeout, retry backoff)
 * is part of its state; the pending-timer store lists the runs that have one (two writes per run
 * while the timer only moves on), and the processor keeps their due times in memory, rebuilt from
 * the two stores when its task starts, and fires the due ones from a wall-clock punctuator: timers
 * survive restarts.
 */
public final class RunTopology {

    public static final String NAME = "run-decider";
    public static final String SOURCE = "run-commands-source";
    /** Applies each start sent with an {@code Idempotency-Key} once per key: see {@link IdempotencyProcessor}. */
    public static final String IDEMPOTENCY = "run-idempotency-processor";
    public static final String IDEMPOTENCY_STORE = "run-idempotency-store";
    public static final String PROCESSOR = "run-command-processor";
    public static final String STATE_STORE = "run-state-store";
    /** The runs with a pending timer: runId → "" (the due time is in the run's state). */
    public static final String PENDING_TIMER_STORE = "run-pending-timer-store";
    /** Written in the pending-timer store once it lists every run with a pending timer. */
    static final String FILLED = "#filled";
    public static final String EVENTS_SINK = "run-events-sink";
    public static final String REQUESTS_SINK = "agent-requests-sink";
    public static final String REPLIES_SINK = "run-replies-sink";
    public static final String COMMANDS_SINK = "run-commands-sink";
    public static final Duration TIMER_RESOLUTION = Duration.ofMillis(100);
    /** How long a timer that could not be applied waits before it is tried again. */
    static final Duration TIMER_RETRY = Duration.ofMinutes(1);

    private RunTopology() {
    }

    /**
     * @param limits     how many of a run's earlier steps travel with its agent requests
     * @param dispatched told of each agent request as it is decided (before the commit), so an
     *                   in-process worker may start it at once; the Kafka record stays the durable copy
     */
    public static Topology build(Topics topics, Limits limits, Consumer<AgentRequest> dispatched) {
        return addTo(new Topology(), topics, limits, dispatched, RunMetrics.NONE);
    }

    /**
     * Adds this topology's nodes and stores to {@code topology} (the one Spring for Apache Kafka builds).
     *
     * @param metrics what it counts as it decides
     */
    public static Topology addTo(Topology topology, Topics topics, Limits limits, Consumer<AgentRequest> dispatched,
                                 RunMetrics metrics) {
        Topic<String, CommandEnvelope<RunCommand>> commands = topics.runCommands();
        topology.addSource(SOURCE, commands.keySerde().deserializer(), commands.valueSerde().deserializer(),
                commands.name());
        topology.addProcessor(IDEMPOTENCY, () -> new IdempotencyProcessor<RunCommand>(new IdempotencyProcessor.Spec(
                IDEMPOTENCY_STORE, PROCESSOR, COMMANDS_SINK, REPLIES_SINK, true)), SOURCE);
        topology.addStateStore(IdempotencyProcessor.store(IDEMPOTENCY_STORE), IDEMPOTENCY);
        topology.addProcessor(PROCESSOR, () -> new CommandProcessor(limits, dispatched, metrics), IDEMPOTENCY);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.String(), JsonSerde.of(RunState.class)).withLoggingEnabled(Map.of()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PENDING_TIMER_STORE),
                Serdes.String(), Serdes.String()).withLoggingEnabled(Map.of()), PROCESSOR);
        topology.addSink(EVENTS_SINK, topics.runEvents().name(), Serdes.String().serializer(),
                erase(topics.runEvents().valueSerde().serializer()), PROCESSOR);
        topology.addSink(REQUESTS_SINK, topics.agentRequests().name(), Serdes.String().serializer(),
                erase(topics.agentRequests().valueSerde().serializer()), PROCESSOR);
        topology.addSink(REPLIES_SINK, topics.commandReplies().name(), Serdes.String().serializer(),
                erase(topics.commandReplies().valueSerde().serializer()), PROCESSOR, IDEMPOTENCY);
        topology.addSink(COMMANDS_SINK, commands.name(), commands.keySerde().serializer(),
                erase(commands.valueSerde().serializer()), IDEMPOTENCY);
        return topology;
    }

    @SuppressWarnings("unchecked")
    private static Serializer<Object> erase(Serializer<?> serializer) {
        return (Serializer<Object>) serializer;
    }

    /**
     * The run decider on the one decider runtime, plus its timers: the runs whose stored state has a
     * pending timer are listed in the pending-timer store (written when a timer appears or goes, not
     * when it moves on), their due times kept in memory, and a wall-clock punctuator feeds each due
     * timer to the same decide path as a {@link FireTimer} command made from the run's state.
     */
    static final class CommandProcessor extends DeciderProcessor<RunCommand, RunState, RunEvent, AgentRequest> {

        private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);

        private KeyValueStore<String, RunState> states;
        private KeyValueStore<String, String> pending;
        private final Timers timers = new Timers();
        /** Whether {@link #timers} holds the due time of every run the pending-timer store lists. */
        private boolean loaded;
        private final RunMetrics metrics;

        CommandProcessor(Limits limits, Consumer<AgentRequest> dispatched, RunMetrics metrics) {
            super(new Spec<>(new RunDecider(limits), STATE_STORE, EVENTS_SINK, REPLIES_SINK, Topics.RUN_EVENTS,
                    new RunRoutes(dispatched)));
            this.metrics = metrics;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            super.init(context);
            this.states = context.getStateStore(STATE_STORE);
            this.pending = context.getStateStore(PENDING_TIMER_STORE);
            timers.clear();
            loaded = false; // loaded on the first command or punctuation: stores are written only there
            context.schedule(TIMER_RESOLUTION, PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
        }

        @Override
        public void process(Record<String, CommandEnvelope<RunCommand>> record) {
            load();
            super.process(record);
        }

        /**
         * Reads the due time of every run with a pending timer from its state. The first time (the
         * store is new: a first start, or an upgrade from the store keyed by due time) it lists
         * them by reading every state once.
         */
        private void load() {
            if (loaded) {
                return;
            }
            if (pending.get(FILLED) == null) {
                int listed = 0;
                try (KeyValueIterator<String, RunState> all = states.all()) {
                    while (all.hasNext()) {
                        KeyValue<String, RunState> state = all.next();
                        if (state.value != null && state.value.timerAt() != null) {
                            pending.put(state.key, "");
                            listed++;
                        }
                    }
                }
                pending.put(FILLED, "");
                if (listed > 0) {
                    LOG.info("Listed the {} run(s) with a pending timer", listed);
                }
            }
            try (KeyValueIterator<String, String> all = pending.all()) {
                while (all.hasNext()) {
                    String runId = all.next().key;
                    RunState state = runId.equals(FILLED) ? null : states.get(runId);
                    if (state != null && state.timerAt() != null) {
                        timers.set(runId, state.timerAt().toEpochMilli());
                    }
                }
            }
            loaded = true;
        }

        private void fireDueTimers(long now) {
            load();
            for (Timers.Due due = timers.pollDue(now); due != null; due = timers.pollDue(now)) {
                RunState state = states.get(due.runId());
                if (state == null || state.timerAt() == null) {
                    continue;
                }
                if (state.timerAt().toEpochMilli() > now) {
                    timers.set(due.runId(), state.timerAt().toEpochMilli());
                    continue;
                }
                FireTimer fire = new FireTimer(state.runId(), state.timerKind(), state.currentStep(), state.attempt());
                try {
                    handle(fire.runId(), new CommandEnvelope<>("timer-" + state.timerAt().toEpochMilli() + "|"
                            + fire.runId(), "FireTimer", fire.runId(), Instant.ofEpochMilli(now), fire));
                } catch (RuntimeException e) {
                    // neither lost nor fired again at once: tried again later, the other timers go on
                    Instant later = Instant.ofEpochMilli(now).plus(TIMER_RETRY);
                    timers.set(fire.runId(), later.toEpochMilli());
                    LOG.error("The {} timer of run {} (step {}, attempt {}) could not be applied; trying again at {}",
                            fire.kind(), fire.runId(), fire.stepOrder(), fire.attempt(), later, e);
                }
            }
        }

        @Override
        protected String logKey() {
            return "runId";
        }

        @Override
        protected String spanName() {
            return NAME;
        }

        /** Every hop of a run joins the trace of the request that started it. */
        @Override
        protected String traceparent(RunState state) {
            return state.traceparent();
        }

        /** Stamps the run's and its step's start times, and counts what happened. */
        @Override
        protected RunState storing(String runId, RunState before, RunState after, List<RunEvent> events,
                                   Instant now) {
            RunState stamped = after.stamped(before, now, RecordTracing.current().traceparent());
            metrics.record(before, stamped, events, now);
            return stamped;
        }

        @Override
        protected void stored(String runId, RunState before, RunState after) {
            if (after.timerAt() != null) {
                timers.set(runId, after.timerAt().toEpochMilli());
                if (before.timerAt() == null) {
                    pending.put(runId, "");
                }
            } else if (before.timerAt() != null) {
                timers.remove(runId);
                pending.delete(runId);
            }
        }
    }

    /**
     * Each agent request goes to agent-requests (the durable copy) and, as it is decided, to the
     * in-process worker. Resume, cancel and retry are answered; a start (the API answers it once written),
     * agent results and timers are not.
     */
    static final class RunRoutes implements DeciderProcessor.Routes<RunCommand, AgentRequest> {

        private final Consumer<AgentRequest> dispatched;

        RunRoutes(Consumer<AgentRequest> dispatched) {
            this.dispatched = dispatched;
        }

        @Override
        public void route(AgentRequest request, CommandEnvelope<RunCommand> cause, Instant now,
                          DeciderProcessor.Forward forward) {
            forward.to(REQUESTS_SINK, request.runId(), request);
            dispatched.accept(request);
        }

        @Override
        public boolean replies(RunCommand command, List<AgentRequest> requests) {
            return command instanceof RunCommand.ResumeRun || command instanceof RunCommand.CancelRun
                    || command instanceof RunCommand.RetryRun;
        }
    }
}
