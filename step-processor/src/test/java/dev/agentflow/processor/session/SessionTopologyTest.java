package dev.agentflow.processor.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.processor.session.SessionTopology.StoredExchange;
import dev.agentflow.processor.session.SessionTopology.Progress;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionTopologyTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final List<StepDefinition> STEPS = List.of(
            new StepDefinition("s1", "echo", "Search: {{input}}", 1, Map.of()),
            new StepDefinition("s2", "human_approval", "Approve it", 2, Map.of()),
            new StepDefinition("s3", "template", "Write: {{input}}", 3, Map.of()));

    private final Topics topics = Topics.defaults();
    private TopologyTestDriver driver;
    private TestInputTopic<String, EventEnvelope<RunEvent>> events;
    private KeyValueStore<String, StoredExchange> exchanges;
    private KeyValueStore<String, Progress> progress;
    private long version;

    @BeforeEach
    void setUp() throws Exception {
        start(3);
    }

    void start(int maxExchanges) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "session-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("session-topology").toString());
        driver = new TopologyTestDriver(SessionTopology.build(topics, maxExchanges), props);
        var e = topics.runEvents();
        events = driver.createInputTopic(e.name(), e.keySerde().serializer(), e.valueSerde().serializer());
        exchanges = driver.getKeyValueStore(SessionTopology.EXCHANGE_STORE);
        progress = driver.getKeyValueStore(SessionTopology.PROGRESS_STORE);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    void send(RunEvent event, Instant at) {
        events.pipeInput(event.runId(), new EventEnvelope<>("evt-" + (++version), Topics.RUN_EVENTS.nameOf(event), 1,
                event.runId(), version, at, "job-1", event));
    }

    /** A run of the three steps in session {@code sessionId}: step n completes at {@code at + n s}. */
    void run(String runId, String sessionId, Instant at) {
        send(new RunEvent.RunStarted(runId, "wf-1", sessionId, Payload.inline("ai"), STEPS), at);
        send(new RunEvent.StepStarted(runId, 1, 1, "echo", Payload.inline(runId + "-in1"), at.plusSeconds(60)), at);
        send(new RunEvent.StepCompleted(runId, 1, 1, Payload.inline(runId + "-out1")), at.plusSeconds(1));
        send(new RunEvent.StepStarted(runId, 2, 1, "human_approval", Payload.inline(runId + "-out1"), at.plusSeconds(60)),
                at.plusSeconds(1));
        send(new RunEvent.RunPaused(runId, 2, new ApprovalRequest(Payload.inline("proposed"), "Approve it", null, null)),
                at.plusSeconds(1));
        send(new RunEvent.RunResumed(runId, 2, Payload.inline(runId + "-approved")), at.plusSeconds(2));
        send(new RunEvent.StepCompleted(runId, 2, 1, Payload.inline(runId + "-approved")), at.plusSeconds(2));
        send(new RunEvent.StepStarted(runId, 3, 1, "template", Payload.inline(runId + "-approved"), at.plusSeconds(60)),
                at.plusSeconds(2));
        send(new RunEvent.StepCompleted(runId, 3, 1, Payload.inline(runId + "-out3")), at.plusSeconds(3));
        send(new RunEvent.RunCompleted(runId, Payload.inline(runId + "-out3")), at.plusSeconds(3));
    }

    List<Exchange> session(String sessionId) {
        List<Exchange> all = new ArrayList<>();
        try (KeyValueIterator<String, StoredExchange> it = exchanges.range(SessionTopology.from(sessionId),
                SessionTopology.to(sessionId))) {
            it.forEachRemaining(kv -> all.add(LocalSessionHistory.told(kv.value)));
        }
        return all;
    }

    static List<String> steps(List<Exchange> exchanges) {
        return exchanges.stream().map(e -> e.runId() + "/" + e.stepOrder()).toList();
    }

    @Test
    void eachCompletedStepIsOneExchangeWithItsActionInputAndOutput() {
        run("wr-a", "s-1", T0);

        assertThat(session("s-1")).containsExactly(
                new Exchange("wr-a", 1, "echo", "Search: {{input}}", "wr-a-in1", "wr-a-out1"),
                new Exchange("wr-a", 2, "human_approval", "Approve it", "wr-a-out1", "wr-a-approved"),
                new Exchange("wr-a", 3, "template", "Write: {{input}}", "wr-a-approved", "wr-a-out3"));
        assertThat(progress.get("wr-a")).isEqualTo(new Progress(3, T0.plusSeconds(3).toEpochMilli()));
    }

    @Test
    void aForksTakenOverStepsAreExchangesOfItsSession() {
        send(new RunEvent.RunStarted("wr-f", "wf-1", "s-f", Payload.inline("ai"), STEPS, 2L,
                new RunEvent.ForkedFrom("wr-a", 3, null)), T0);
        send(new RunEvent.StepReused("wr-f", 1, Payload.inline("out1"), "wr-a", 1L), T0);
        send(new RunEvent.StepReused("wr-f", 2, Payload.inline("out2"), "wr-a", 1L), T0);

        assertThat(session("s-f")).extracting(Exchange::stepOrder, Exchange::agentId, Exchange::output)
                .containsExactly(tuple(1, "echo", "out1"), tuple(2, "human_approval", "out2"));

    }

    @Test
    void runsOfOneSessionAreInCompletionOrderAndOtherSessionsApart() throws Exception {
        tearDown();
        start(100);
        run("wr-b", "s-1", T0.plusSeconds(10));
        run("wr-a", "s-1", T0);
        run("wr-c", "s-10", T0);

        assertThat(steps(session("s-1"))).containsExactly("wr-a/1", "wr-a/2", "wr-a/3", "wr-b/1", "wr-b/2", "wr-b/3");
        assertThat(steps(session("s-10"))).containsExactly("wr-c/1", "wr-c/2", "wr-c/3");
    }

    @Test
    void aRedeliveredStepCompletedIsStoredOnce() {
        send(new RunEvent.RunStarted("wr-a", "wf-1", "s-1", Payload.inline("ai"), STEPS), T0);
        send(new RunEvent.StepStarted("wr-a", 1, 1, "echo", Payload.inline("in"), T0.plusSeconds(60)), T0);
        send(new RunEvent.StepCompleted("wr-a", 1, 1, Payload.inline("out")), T0.plusSeconds(1));
        send(new RunEvent.StepCompleted("wr-a", 1, 1, Payload.inline("out")), T0.plusSeconds(1));
        send(new RunEvent.StepStarted("wr-a", 2, 1, "human_approval", Payload.inline("out"), T0.plusSeconds(60)), T0);
        send(new RunEvent.StepCompleted("wr-a", 2, 1, Payload.inline("ok")), T0.plusSeconds(2));
        send(new RunEvent.StepCompleted("wr-a", 1, 1, Payload.inline("out")), T0.plusSeconds(1));

        assertThat(steps(session("s-1"))).containsExactly("wr-a/1", "wr-a/2");
    }

    @Test
    void aRunsExchangesStayInStepOrderWhenTheClockGoesBack() {
        send(new RunEvent.RunStarted("wr-a", "wf-1", "s-1", Payload.inline("ai"), STEPS), T0);
        send(new RunEvent.StepStarted("wr-a", 1, 1, "echo", Payload.inline("in"), T0.plusSeconds(60)), T0);
        send(new RunEvent.StepCompleted("wr-a", 1, 1, Payload.inline("out")), T0.plusSeconds(5));
        send(new RunEvent.StepStarted("wr-a", 2, 1, "human_approval", Payload.inline("out"), T0.plusSeconds(60)), T0);
        send(new RunEvent.StepCompleted("wr-a", 2, 1, Payload.inline("ok")), T0.plusSeconds(1));

        assertThat(steps(session("s-1"))).containsExactly("wr-a/1", "wr-a/2");
    }

    @Test
    void aSessionKeepsOnlyItsLatestExchanges() {
        run("wr-a", "s-1", T0);
        run("wr-b", "s-1", T0.plusSeconds(10));
        run("wr-c", "s-2", T0.plusSeconds(20));

        assertThat(steps(session("s-1"))).containsExactly("wr-b/1", "wr-b/2", "wr-b/3");
        assertThat(steps(session("s-2"))).containsExactly("wr-c/1", "wr-c/2", "wr-c/3");
        List<KeyValue<String, StoredExchange>> all = new ArrayList<>();
        try (KeyValueIterator<String, StoredExchange> it = exchanges.all()) {
            it.forEachRemaining(all::add);
        }
        assertThat(all).hasSize(6);
    }

    @Test
    void everyNodeStoreAndInternalTopicIsNamed() {
        String description = SessionTopology.build(topics, 3).describe().toString();

        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-")
                .contains(SessionTopology.RUN_PROCESSOR, SessionTopology.EXCHANGE_PROCESSOR,
                        SessionTopology.REPARTITION + "-repartition");
    }

    @Test
    void eventsOfRunsItNeverSawStartAreIgnored() {
        send(new RunEvent.StepCompleted("wr-x", 1, 1, Payload.inline("out")), T0);

        try (KeyValueIterator<String, StoredExchange> it = exchanges.all()) {
            assertThat(it.hasNext()).isFalse();
        }
    }
}
