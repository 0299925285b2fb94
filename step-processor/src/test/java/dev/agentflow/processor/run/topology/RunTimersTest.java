package dev.agentflow.processor.run.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.processor.run.domain.RunState;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run decider's timers across a restart of its task: a new processor over the same stores
 * fires what the old one set, including a timer an earlier version kept only in the run's state
 * (before the pending-timer store existed).
 */
class RunTimersTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<StepDefinition> STEPS = List.of(
            new StepDefinition("s1", "echo", "a", 1, Map.of("timeoutMs", 1000, "maxAttempts", 2)));

    private MockProcessorContext<String, Object> context;
    private KeyValueStore<String, RunState> states;
    private KeyValueStore<String, String> pending;

    @BeforeEach
    void setUp() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "run-timers-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        context = new MockProcessorContext<>(config);
        context.setCurrentSystemTimeMs(START.toEpochMilli());
        states = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RunTopology.STATE_STORE), Serdes.String(),
                JsonSerde.of(RunState.class)).withLoggingDisabled().build();
        pending = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(RunTopology.PENDING_TIMER_STORE),
                Serdes.String(), Serdes.String()).withLoggingDisabled().build();
        states.init(context.getStateStoreContext(), states);
        pending.init(context.getStateStoreContext(), pending);
        context.addStateStore(states);
        context.addStateStore(pending);
    }

    private RunTopology.CommandProcessor processor() {
        RunTopology.CommandProcessor processor = new RunTopology.CommandProcessor(Limits.DEFAULTS, request -> { },
                RunMetrics.NONE);
        processor.init(context);
        return processor;
    }

    private static Record<String, CommandEnvelope<RunCommand>> start(String runId) {
        RunCommand.StartRun command = new RunCommand.StartRun(runId, "wf-1", "sess", Payload.inline("hi"), STEPS);
        return new Record<>(runId, new CommandEnvelope<>("job-" + runId, "StartRun", runId, START, command),
                START.toEpochMilli());
    }

    /** Fires the processor's last scheduled punctuator (the timers') at {@code atMs}. */
    private void punctuate(long atMs) {
        context.setCurrentSystemTimeMs(atMs);
        List<MockProcessorContext.CapturedPunctuator> scheduled = context.scheduledPunctuators();
        scheduled.get(scheduled.size() - 1).getPunctuator().punctuate(atMs);
    }

    /** The run ids of the StepAttemptFailed events forwarded so far. */
    private List<String> timedOut() {
        return context.forwarded().stream()
                .filter(f -> f.childName().orElse("").equals(RunTopology.EVENTS_SINK))
                .map(f -> (EventEnvelope<?>) f.record().value())
                .filter(e -> e.type().equals("StepAttemptFailed")).map(EventEnvelope::aggregateId).sorted().toList();
    }

    @Test
    void aNewProcessorFiresTheTimersSetBeforeIncludingOnesOnlyTheStateKnew() {
        RunTopology.CommandProcessor before = processor();
        before.process(start("wr-1"));
        before.process(start("wr-2"));
        assertThat(pending.get("wr-1")).isNotNull();
        assertThat(pending.get(RunTopology.FILLED)).isNotNull();
        // wr-2 as an earlier version left it: its timer only in its state, the store not filled yet
        pending.delete("wr-2");
        pending.delete(RunTopology.FILLED);
        context.resetForwards();

        processor(); // the task restarted
        punctuate(START.toEpochMilli() + 900);
        assertThat(timedOut()).as("not yet due").isEmpty();
        assertThat(pending.get("wr-2")).as("listed from its state").isNotNull();
        assertThat(pending.get(RunTopology.FILLED)).isNotNull();

        punctuate(START.toEpochMilli() + 1100);
        assertThat(timedOut()).containsExactly("wr-1", "wr-2");
    }

    @Test
    void timersAreFiredInDueOrderAndOnlyOnce() {
        Timers timers = new Timers();
        timers.set("b", 20);
        timers.set("a", 10);
        timers.set("c", 30);
        timers.set("b", 5);
        timers.remove("c");
        assertThat(timers.pollDue(4)).isNull();
        assertThat(timers.pollDue(100)).isEqualTo(new Timers.Due(5, "b"));
        assertThat(timers.pollDue(100)).isEqualTo(new Timers.Due(10, "a"));
        assertThat(timers.pollDue(100)).isNull();
        assertThat(timers.size()).isZero();
    }
}
