package dev.agentflow.processor.run.topology;

import dev.agentflow.processor.run.domain.RunDecider;
import dev.agentflow.processor.run.domain.RunState;
import dev.agentflow.runtime.kafka.DeciderProcessor;
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
import org.apache.kafka.streams.processor.api.ProcessorContext;
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
     * @param limits     how many of a run's earlier steps travel with its agent requests
     * @param dispatched told of each agent request as it is decided (before the commit), so an
     *                   in-process worker may start it at once; the Kafka record stays the durable copy
     */
    public static Topology build(Topics topics, Limits limits, Consumer<AgentRequest> dispatched) {
        return addTo(new Topology(), topics, limits, dispatched);
    }

    /** Adds this topology's nodes and stores to {@code topology} (the one Spring for Apache Kafka builds). */
    public static Topology addTo(Topology topology, Topics topics, Limits limits, Consumer<AgentRequest> dispatched) {
        Topic<String, CommandEnvelope<RunCommand>> commands = topics.runCommands();
        topology.addSource(SOURCE, commands.keySerde().deserializer(), commands.valueSerde().deserializer(),
                commands.name());
        topology.addProcessor(PROCESSOR, () -> new CommandProcessor(limits, dispatched), SOURCE);
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

    /**
     * The run decider on the one decider runtime, plus its timers: the state's pending timer is
     * mirrored in the timer store whenever a stored state changes it, and a wall-clock punctuator
     * feeds each due timer to the same decide path as a {@link FireTimer} command.
     */
    static final class CommandProcessor extends DeciderProcessor<RunCommand, RunState, RunEvent, AgentRequest> {

        private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);

        private KeyValueStore<String, FireTimer> timers;

        CommandProcessor(Limits limits, Consumer<AgentRequest> dispatched) {
            super(new Spec<>(new RunDecider(limits), STATE_STORE, EVENTS_SINK, REPLIES_SINK, Topics.RUN_EVENTS,
                    new RunRoutes(dispatched)));
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            super.init(context);
            this.timers = context.getStateStore(TIMER_STORE);
            context.schedule(TIMER_RESOLUTION, PunctuationType.WALL_CLOCK_TIME, this::fireDueTimers);
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
                            Instant.ofEpochMilli(now), fire));
                } catch (RuntimeException e) {
                    // neither lost nor fired again at once: tried again later, the other timers go on
                    Instant later = Instant.ofEpochMilli(now).plus(TIMER_RETRY);
                    timers.put(timerKey(later, fire.runId()), fire);
                    LOG.error("The {} timer of run {} (step {}, attempt {}) could not be applied; trying again at {}",
                            fire.kind(), fire.runId(), fire.stepOrder(), fire.attempt(), later, e);
                }
            }
        }

        @Override
        protected void stored(String runId, RunState before, RunState after) {
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
    }

    /**
     * Each agent request goes to agent-requests (the durable copy) and, as it is decided, to the
     * in-process worker. Resume and cancel are answered; a start (the API answers it once written),
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
            return command instanceof RunCommand.ResumeRun || command instanceof RunCommand.CancelRun;
        }
    }
}
