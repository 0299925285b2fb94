package dev.agentflow.processor.run.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.envelope.Idempotency;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunCommand.FireTimer;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.StepDefinition;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RunTopologyTest {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private final Topics topics = Topics.defaults();
    private final List<AgentRequest> dispatched = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, CommandEnvelope<RunCommand>> commands;
    private TestOutputTopic<String, EventEnvelope<RunEvent>> events;
    private TestOutputTopic<String, AgentRequest> requests;
    private TestOutputTopic<String, CommandReply> replies;
    private KeyValueStore<String, String> timers;

    private static final List<StepDefinition> STEPS = List.of(
            new StepDefinition("s1", "echo", "a", 1, Map.of("timeoutMs", 1000, "maxAttempts", 2,
                    "retryBackoffMs", 200)),
            new StepDefinition("s2", "human_approval", "b", 2, Map.of()));

    private final Properties props = new Properties();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void setUp() throws Exception {
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "run-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("run-topology").toString());
        open(START);
    }

    /** A topology on the state directory of {@link #props}, its clock at {@code now}. */
    private void open(Instant now) {
        driver = new TopologyTestDriver(RunTopology.addTo(new Topology(), topics, Limits.DEFAULTS, dispatched::add,
                new RunMetrics(registry, true)), props, now);
        var c = topics.runCommands();
        commands = driver.createInputTopic(c.name(), c.keySerde().serializer(), c.valueSerde().serializer());
        var e = topics.runEvents();
        events = driver.createOutputTopic(e.name(), e.keySerde().deserializer(), e.valueSerde().deserializer());
        var r = topics.agentRequests();
        requests = driver.createOutputTopic(r.name(), r.keySerde().deserializer(), r.valueSerde().deserializer());
        var rp = topics.commandReplies();
        replies = driver.createOutputTopic(rp.name(), rp.keySerde().deserializer(), rp.valueSerde().deserializer());
        timers = driver.getKeyValueStore(RunTopology.PENDING_TIMER_STORE);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void send(String commandId, RunCommand command) {
        commands.pipeInput(command.runId(), new CommandEnvelope<>(commandId, Topics.RUN_COMMANDS.nameOf(command),
                command.runId(), Instant.now(), command));
    }

    private List<String> eventTypes() {
        return events.readValuesToList().stream().map(EventEnvelope::type).toList();
    }

    /** The runs the pending-timer store lists. */
    private int timerCount() {
        int n = 0;
        try (var all = timers.all()) {
            while (all.hasNext()) {
                if (!all.next().key.equals(RunTopology.FILLED)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void startWritesEventsAndOneAgentRequestButNoReply() {
        send("job-1", new RunCommand.StartRun("wr-1", "wf-1", "sess", Payload.inline("hello"), STEPS));

        List<EventEnvelope<RunEvent>> written = events.readValuesToList();
        assertThat(written).extracting(EventEnvelope::type).containsExactly("RunStarted", "StepStarted");
        assertThat(written).extracting(EventEnvelope::version).containsExactly(1L, 2L);
        AgentRequest request = requests.readValue();
        assertThat(request.idempotencyKey()).isEqualTo("wr-1:1:1");
        assertThat(request.input()).isEqualTo(Payload.inline("hello"));
        assertThat(dispatched).containsExactly(request);
        assertThat(replies.isEmpty()).as("the API answered the start once it was written").isTrue();
        assertThat(timerCount()).isEqualTo(1);
    }

    @Test
    void theMetricsCountTheRunAndTimeItAndEachStepByAgent() {
        send("job-1", new RunCommand.StartRun("wr-1", "wf-1", "sess", Payload.inline("hello"), STEPS));
        driver.advanceWallClockTime(Duration.ofMillis(500)); // within the step's timeout
        send("res-1", new RunCommand.RecordAgentResult("wr-1", 1, 1, AgentOutcome.output("hi")));
        send("res-2", new RunCommand.RecordAgentResult("wr-1", 2, 1, AgentOutcome.approval(
                new dev.agentflow.schemas.run.ApprovalRequest(Payload.inline("hi"), "b", null, null))));
        driver.advanceWallClockTime(Duration.ofSeconds(3));
        send("resume-1", new RunCommand.ResumeRun("wr-1", Payload.inline("approved")));

        assertThat(eventTypes()).endsWith("RunCompleted");
        assertThat(registry.get("agentflow.runs.started").tag("workflow", "wf-1").counter().count()).isOne();
        assertThat(registry.get("agentflow.runs.ended").tags("workflow", "wf-1", "status", "COMPLETED").counter()
                .count()).isOne();
        Timer run = registry.get("agentflow.run.duration").tag("status", "COMPLETED").timer();
        assertThat(run.count()).isOne();
        assertThat(run.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(3500);
        assertThat(registry.get("agentflow.step.duration").tags("agent", "echo", "status", "COMPLETED").timer()
                .totalTime(TimeUnit.MILLISECONDS)).as("from its start to its output").isEqualTo(500);
        assertThat(registry.get("agentflow.step.duration").tags("agent", "human_approval").timer()
                .totalTime(TimeUnit.MILLISECONDS)).as("the approval included").isEqualTo(3000);
    }

    /** A start claiming an idempotency key, as the API writes it. */
    private void claim(String commandId, String runId, String key, String fingerprint, Instant retainUntil) {
        RunCommand start = new RunCommand.StartRun(runId, "wf-1", "sess-" + runId, Payload.inline("hello"), STEPS);
        Idempotency claim = new Idempotency(key, fingerprint, retainUntil, Map.of("runId", runId, "jobId", commandId));
        commands.pipeInput(claim.recordKey(), new CommandEnvelope<>(commandId, "StartRun", runId, Instant.now(),
                "key:ops", start, claim));
    }

    @Test
    void aStartUnderAnIdempotencyKeyStartsOneRunAndRepeatsGetTheFirstAnswer() {
        Instant until = START.plus(Duration.ofHours(24));
        claim("job-1", "wr-1", "k1", "f1", until);
        claim("job-2", "wr-2", "k1", "f1", until);
        claim("job-3", "wr-3", "k1", "f2", until);

        List<EventEnvelope<RunEvent>> written = events.readValuesToList();
        assertThat(written).extracting(EventEnvelope::type).containsExactly("RunStarted", "StepStarted");
        assertThat(written).extracting(EventEnvelope::aggregateId).containsOnly("wr-1");
        assertThat(written.get(0).actor()).isEqualTo("key:ops");
        assertThat(requests.readValuesToList()).hasSize(1);
        List<CommandReply> answers = replies.readValuesToList();
        assertThat(answers).extracting(CommandReply::commandId).containsExactly("job-1", "job-2", "job-3");
        assertThat(answers.get(0).accepted()).isTrue();
        assertThat(answers.get(0).repeat()).isFalse();
        assertThat(answers.get(1).accepted()).isTrue();
        assertThat(answers.get(1).repeat()).isTrue();
        assertThat(answers.get(1).answer()).isEqualTo(Map.of("runId", "wr-1", "jobId", "job-1"));
        assertThat(answers.get(2).accepted()).isFalse();
        assertThat(answers.get(2).rejection().reason()).isEqualTo(Rejection.Reason.UNPROCESSABLE);
        assertThat(answers.get(2).rejection().field()).isEqualTo("Idempotency-Key");
    }

    @Test
    void anExpiredKeyIsFreeAgainAndIsDropped() {
        claim("job-1", "wr-1", "k1", "f1", START.plus(Duration.ofMinutes(5)));
        driver.advanceWallClockTime(Duration.ofMinutes(6));
        KeyValueStore<String, Idempotency> claims = driver.getKeyValueStore(RunTopology.IDEMPOTENCY_STORE);
        assertThat(claims.approximateNumEntries()).as("dropped after its retention").isZero();

        claim("job-2", "wr-2", "k1", "f2", START.plus(Duration.ofHours(1)));

        assertThat(events.readValuesToList()).filteredOn(e -> e.type().equals("RunStarted"))
                .extracting(EventEnvelope::aggregateId).containsExactly("wr-1", "wr-2");
        assertThat(replies.readValuesToList()).extracting(CommandReply::repeat).containsExactly(false, false);
    }

    @Test
    void timeoutThenBackoffThenSecondAttemptFromTheTimerStore() {
        send("job-1", new RunCommand.StartRun("wr-1", "wf-1", "sess", Payload.inline("hello"), STEPS));
        eventTypes();
        requests.readValuesToList();

        driver.advanceWallClockTime(Duration.ofMillis(900));
        assertThat(events.isEmpty()).as("not yet due").isTrue();

        driver.advanceWallClockTime(Duration.ofMillis(200));
        assertThat(eventTypes()).containsExactly("StepAttemptFailed");
        assertThat(timerCount()).as("the retry timer replaced the timeout").isEqualTo(1);

        driver.advanceWallClockTime(Duration.ofMillis(300));
        assertThat(eventTypes()).containsExactly("StepStarted");
        AgentRequest retry = requests.readValue();
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.input()).isEqualTo(Payload.inline("hello"));

        send("res-1", new RunCommand.RecordAgentResult("wr-1", 1, 1, AgentOutcome.output("stale")));
        assertThat(events.isEmpty()).as("the first attempt's late result is ignored").isTrue();

        send("res-2", new RunCommand.RecordAgentResult("wr-1", 1, 2, AgentOutcome.output("hi")));
        assertThat(eventTypes()).containsExactly("StepCompleted", "StepStarted");
        assertThat(requests.readValue().input()).isEqualTo(Payload.inline("hi"));
    }

    @Test
    void exhaustedRetriesFailTheRunAndClearTheTimers() {
        send("job-1", new RunCommand.StartRun("wr-1", "wf-1", "sess", Payload.inline("hello"), STEPS));
        driver.advanceWallClockTime(Duration.ofMillis(1100));
        driver.advanceWallClockTime(Duration.ofMillis(300));
        driver.advanceWallClockTime(Duration.ofMillis(1100));

        assertThat(eventTypes()).containsExactly("RunStarted", "StepStarted", "StepAttemptFailed", "StepStarted",
                "StepFailed", "RunFailed");
        assertThat(timerCount()).isZero();
    }

    @Test
    void pausedRunHasNoTimerAndResumeRepliesAndContinues() {
        send("job-1", new RunCommand.StartRun("wr-1", "wf-1", "sess", Payload.inline("hello"), STEPS));
        send("res-1", new RunCommand.RecordAgentResult("wr-1", 1, 1, AgentOutcome.output("hi")));
        send("res-2", new RunCommand.RecordAgentResult("wr-1", 2, 1, AgentOutcome.approval(
                new dev.agentflow.schemas.run.ApprovalRequest(Payload.inline("hi"), "b", null, null))));
        assertThat(eventTypes()).endsWith("RunPaused");
        assertThat(timerCount()).isZero();
        driver.advanceWallClockTime(Duration.ofHours(2));
        assertThat(events.isEmpty()).as("a paused run never times out").isTrue();
        replies.readValuesToList();

        send("job-2", new RunCommand.ResumeRun("wr-1", Payload.inline("approved")));

        assertThat(eventTypes()).containsExactly("RunResumed", "StepCompleted", "RunCompleted");
        assertThat(replies.readValuesToList()).extracting(CommandReply::commandId).containsExactly("job-2");
    }

    @Test
    void agentResultsGetNoReplyAndRejectionsWriteNoEvents() {
        send("job-1", new RunCommand.ResumeRun("wr-404", Payload.inline("x")));
        assertThat(events.isEmpty()).isTrue();
        CommandReply reply = replies.readValue();
        assertThat(reply.accepted()).isFalse();

        send("res-1", new RunCommand.RecordAgentResult("wr-404", 1, 1, AgentOutcome.output("x")));
        assertThat(replies.isEmpty()).isTrue();
    }
}
