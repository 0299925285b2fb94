package dev.agentflow.processor.run.topology;

import dev.agentflow.processor.run.domain.RunDecider;
import dev.agentflow.processor.run.domain.RunState;
import dev.agentflow.runtime.decider.Decision;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunCommand.FireTimer;
import dev.agentflow.schemas.run.RunEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * run-commands → run-command-processor (owns run-state-store and run-timer-store) → run-events,
 * agent-requests, command-replies. Timers (step timeouts, retry backoff) are rows of the timer
 * store keyed by due time, fired by a wall-clock punctuator: they survive restarts.
 */
public final class RunTopology {

    public static final String NAME = "run-decider";
    public static final String SOURCE = "run-commands-source";
    public static final String PROCESSOR = "run-command-processor";
    public static final String STATE_STORE = "run-state-store";
    public static final String TIMER_STORE = "run-timer-store";
    public static final String EVENTS_SINK = "run-events-sink";
    public static final String REQUESTS_SINK = "agent-requests-sink";
    public static final String REPLIES_SINK = "run-replies-sink";
    public static final Duration TIMER_RESOLUTION = Duration.ofMillis(100);
    /** How long a timer that could not be applied waits before it is tried again. */
    static final Duration TIMER_RETRY = Duration.ofMinutes(1);

    private RunTopology() {
    }

    /**
     * @param dispatched told of each agent request as it is decided (before the commit), so an
     *                   in-process worker may start it at once; the Kafka record stays the durable copy
     */
    public static Topology build(Topics topics, Consumer<AgentRequest> dispatched) {
        Topic<String, CommandEnvelope<RunCommand>> commands = topics.runCommands();
        Topology topology = new Topology();
        topology.addSource(SOURCE, commands.keySerde().deserializer(), commands.valueSerde().deserializer(),
                commands.name());
        topology.addProcessor(PROCESSOR, () -> new CommandProcessor(new RunDecider(), dispatched), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE),
                Serdes.String(), JsonSerde.of(RunState.class)).withLoggingEnabled(Map.of()), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(TIMER_STORE),
                Serdes.String(), JsonSerde.of(FireTimer.class)).withLoggingEnabled(Map.of()), PROCESSOR);
        topology.addSink(EVENTS_SINK, topics.runEvents().name(), Serdes.String().serializer(),
                erase(topics.runEvents().valueSerde().serializer()), PROCESSOR);
        topology.addSink(REQUESTS_SINK, topics.agentRequests().name(), Serdes.String().serializer(),
                erase(topics.agentRequests().valueSerde().serializer()), PROCESSOR);
        topology.addSink(REPLIES_SINK, topics.commandReplies().name(), Serdes.String().serializer(),
                erase(topics.commandReplies().valueSerde().serializer()), PROCESSOR);
        return topology;
    }

    @SuppressWarnings("unchecked")
    private static Serializer<Object> erase(Serializer<?> serializer) {
        return (Serializer<Object>) serializer;
    }

    /** The timer store's key: due time (fixed width, so keys sort by time), then the run. */
    static String timerKey(Instant due, String runId) {
        return String.format("%016d|%s", due.toEpochMilli(), runId);
    }

    static final class CommandProcessor implements Processor<String, CommandEnvelope<RunCommand>, String, Object> {

        private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);

        private final RunDecider decider;
        private final Consumer<AgentRequest> dispatched;
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, RunState> states;
        private KeyValueStore<String, FireTimer> timers;

        CommandProcessor(RunDecider decider, Consumer<AgentRequest> dispatched) {
            this.decider = decider;
            this.dispatched = dispatched;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.states = context.getStateStore(STATE_STORE);
            this.timers = context.getStateStore(TIMER_STORE);
            context.schedule(TIMER_RESOLUTION, PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
        }

        @Override
        public void process(Record<String, CommandEnvelope<RunCommand>> record) {
            CommandEnvelope<RunCommand> command = record.value();
            if (command == null || command.data() == null || record.key() == null) {
                LOG.warn("Skipping an empty run command at key {}", record.key());
                return;
            }
            handle(record.key(), command, !(command.data() instanceof RunCommand.RecordAgentResult));
        }

        private void fireDueTimers(long now) {
            List<KeyValue<String, FireTimer>> due = new ArrayList<>();
            try (KeyValueIterator<String, FireTimer> it = timers.range(timerKey(Instant.EPOCH, ""),
                    timerKey(Instant.ofEpochMilli(now), "\uffff"))) {
                it.forEachRemaining(due::add);
            }
            for (KeyValue<String, FireTimer> timer : due) {
                timers.delete(timer.key);
                FireTimer fire = timer.value;
                if (fire == null || fire.runId() == null) {
                    continue;
                }
                try {
                    handle(fire.runId(), new CommandEnvelope<>("timer-" + timer.key, "FireTimer", fire.runId(),
                            Instant.ofEpochMilli(now), fire), false);
                } catch (RuntimeException e) {
                    // neither lost nor fired again at once: tried again later, the other timers go on
                    Instant later = Instant.ofEpochMilli(now).plus(TIMER_RETRY);
                    timers.put(timerKey(later, fire.runId()), fire);
                    LOG.error("The {} timer of run {} (step {}, attempt {}) could not be applied; trying again at {}",
                            fire.kind(), fire.runId(), fire.stepOrder(), fire.attempt(), later, e);
                }
            }
        }

        private void handle(String runId, CommandEnvelope<RunCommand> command, boolean reply) {
            RunState state = Objects.requireNonNullElse(states.get(runId), decider.initialState());
            long nowMs = context.currentSystemTimeMs();
            Instant now = Instant.ofEpochMilli(nowMs);
            Decision<RunEvent> decision = decider.decide(command.data(), state, now);
            if (decision instanceof Decision.Rejected<RunEvent> rejected) {
                if (reply) {
                    forward(command.commandId(), CommandReply.rejected(command.commandId(), runId,
                            rejected.rejection()), REPLIES_SINK, nowMs);
                }
                return;
            }
            List<RunEvent> events = ((Decision.Accepted<RunEvent>) decision).events();
            // Everything is decided before anything is written: a decider that throws leaves nothing behind.
            RunState before = state;
            List<EventEnvelope<RunEvent>> envelopes = new ArrayList<>();
            List<AgentRequest> requests = new ArrayList<>();
            for (RunEvent event : events) {
                state = decider.evolve(state, event);
                envelopes.add(new EventEnvelope<>(Ids.eventId(), Topics.RUN_EVENTS.nameOf(event),
                        CarriesPayloads.schemaVersionOf(event), runId, state.version(), now, command.commandId(), event));
                decider.react(state, event).ifPresent(requests::add);
            }
            envelopes.forEach(envelope -> forward(runId, envelope, EVENTS_SINK, nowMs));
            for (AgentRequest request : requests) {
                forward(runId, request, REQUESTS_SINK, nowMs);
                dispatched.accept(request);
            }
            if (!events.isEmpty()) {
                states.put(runId, state);
                moveTimer(before, state);
            }
            if (reply) {
                forward(command.commandId(), CommandReply.accepted(command.commandId(), runId, state.version()),
                        REPLIES_SINK, nowMs);
            }
        }

        private void moveTimer(RunState before, RunState after) {
            if (Objects.equals(before.timerAt(), after.timerAt()) && before.timerKind() == after.timerKind()
                    && before.attempt() == after.attempt() && before.currentStep() == after.currentStep()) {
                return;
            }
            if (before.timerAt() != null) {
                timers.delete(timerKey(before.timerAt(), before.runId()));
            }
            if (after.timerAt() != null) {
                timers.put(timerKey(after.timerAt(), after.runId()),
                        new FireTimer(after.runId(), after.timerKind(), after.currentStep(), after.attempt()));
            }
        }

        private void forward(String key, Object value, String sink, long timestamp) {
            context.forward(new Record<>(key, value, timestamp), sink);
        }
    }
}
