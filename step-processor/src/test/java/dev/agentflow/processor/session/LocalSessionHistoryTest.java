package dev.agentflow.processor.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.EarlierSteps;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LocalSessionHistory} on the stores of a {@link SessionTopology} fed through a test driver. */
class LocalSessionHistoryTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final List<StepDefinition> STEPS = List.of(
            new StepDefinition("s1", "echo", "one", 1, Map.of()),
            new StepDefinition("s2", "echo", "two", 2, Map.of()),
            new StepDefinition("s3", "echo", "three", 3, Map.of()));

    private final Topics topics = Topics.defaults();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private TopologyTestDriver driver;
    private TestInputTopic<String, EventEnvelope<RunEvent>> events;
    private long version;

    @BeforeEach
    void setUp() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "session-history-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("session-history").toString());
        driver = new TopologyTestDriver(SessionTopology.build(topics, 100), props);
        var e = topics.runEvents();
        events = driver.createInputTopic(e.name(), e.keySerde().serializer(), e.valueSerde().serializer());
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        driver.close();
    }

    private LocalSessionHistory history(Duration timeout) {
        return new LocalSessionHistory(() -> driver.getKeyValueStore(SessionTopology.EXCHANGE_STORE),
                () -> driver.getKeyValueStore(SessionTopology.PROGRESS_STORE), scheduler, timeout,
                payload -> CompletableFuture.completedFuture("resolved " + payload.ref().payloadId()), 1000);
    }

    private void send(RunEvent event, Instant at) {
        events.pipeInput(event.runId(), new EventEnvelope<>("evt-" + (++version), Topics.RUN_EVENTS.nameOf(event), 1,
                event.runId(), version, at, "job-1", event));
    }

    private void start(String runId, String sessionId, Instant at) {
        send(new RunEvent.RunStarted(runId, "wf-1", sessionId, Payload.inline("in"), STEPS), at);
    }

    /** Step {@code step} of the run starts and completes at {@code at}. */
    private void complete(String runId, int step, Instant at) {
        send(new RunEvent.StepStarted(runId, step, 1, "echo", Payload.inline(runId + "-in" + step), at.plusSeconds(60)), at);
        send(new RunEvent.StepCompleted(runId, step, 1, Payload.inline(runId + "-out" + step)), at);
    }

    private static AgentRequest request(String runId, String sessionId, int step) {
        return new AgentRequest(runId, "wf-1", step, 1, "echo", "one", Payload.inline("in"), sessionId, Map.of(),
                AgentRequest.idempotencyKey(runId, step, 1));
    }

    private static List<String> steps(CompletableFuture<List<Exchange>> history) throws Exception {
        return history.get(5, TimeUnit.SECONDS).stream().map(e -> e.runId() + "/" + e.stepOrder()).toList();
    }

    @Test
    void theLatestExchangesOfTheSessionOldestFirst() throws Exception {
        start("wr-a", "s-1", T0);
        complete("wr-a", 1, T0.plusSeconds(1));
        complete("wr-a", 2, T0.plusSeconds(2));
        start("wr-b", "s-1", T0.plusSeconds(3));
        complete("wr-b", 1, T0.plusSeconds(4));
        start("wr-other", "s-2", T0);
        complete("wr-other", 1, T0.plusSeconds(5));

        assertThat(steps(history(Duration.ofSeconds(5)).before(request("wr-c", "s-1", 1), 10)))
                .containsExactly("wr-a/1", "wr-a/2", "wr-b/1");
        assertThat(steps(history(Duration.ofSeconds(5)).before(request("wr-c", "s-1", 1), 2)))
                .containsExactly("wr-a/2", "wr-b/1");
        assertThat(history(Duration.ofSeconds(5)).before(request("wr-b", "s-1", 2), 1).get(5, TimeUnit.SECONDS))
                .containsExactly(new Exchange("wr-b", 1, "echo", "one", "wr-b-in1", "wr-b-out1"));
    }

    @Test
    void payloadsStoredByReferenceAreToldWholeWithinTheBudgetTheLatestFirstAndByPreviewBeyond() throws Exception {
        start("wr-a", "s-1", T0);
        for (int step = 1; step <= 3; step++) {
            PayloadRef ref = new PayloadRef("pl-" + step, 600, "ab".repeat(32), 1, 0, step, "preview " + step);
            send(new RunEvent.StepStarted("wr-a", step, 1, "echo", Payload.inline("i" + step), T0), T0);
            send(new RunEvent.StepCompleted("wr-a", step, 1, Payload.of(ref)), T0.plusSeconds(step));
        }

        List<Exchange> told = history(Duration.ofSeconds(5)).before(request("wr-b", "s-1", 1), 10)
                .get(5, TimeUnit.SECONDS);

        // a budget of 1000 bytes: the latest output (600) and inputs (2 each) whole, then previews
        assertThat(told).extracting(Exchange::output).containsExactly(
                "preview 1… [600 bytes in all, stored as payload pl-1]",
                "preview 2… [600 bytes in all, stored as payload pl-2]",
                "resolved pl-3");
        assertThat(told).extracting(Exchange::input).containsExactly("i1", "i2", "i3");
    }

    @Test
    void excludesThisRunsStepsFromTheRequestedOneOn() throws Exception {
        start("wr-a", "s-1", T0);
        complete("wr-a", 1, T0.plusSeconds(1));
        complete("wr-a", 2, T0.plusSeconds(2));
        complete("wr-a", 3, T0.plusSeconds(3));

        assertThat(steps(history(Duration.ofSeconds(5)).before(request("wr-a", "s-1", 2), 10)))
                .containsExactly("wr-a/1");
    }

    @Test
    void waitsUntilThePreviousStepOfTheRunIsStored() throws Exception {
        start("wr-a", "s-1", T0);
        complete("wr-a", 1, T0.plusSeconds(1));

        CompletableFuture<List<Exchange>> history = history(Duration.ofSeconds(5)).before(request("wr-a", "s-1", 3), 10);
        assertThat(history).isNotDone();

        complete("wr-a", 2, T0.plusSeconds(2));
        assertThat(steps(history)).containsExactly("wr-a/1", "wr-a/2");
    }

    @Test
    void givesUpWhenThePreviousStepNeverArrives() {
        start("wr-a", "s-1", T0);

        CompletableFuture<List<Exchange>> history = history(Duration.ofMillis(100)).before(request("wr-a", "s-1", 2), 10);

        assertThatThrownBy(() -> history.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .hasMessage("session s-1: step 1 of run wr-a was not in the session store within PT0.1S");
    }

    /** Step {@code step} of {@code runId} with the run's steps before it carried from {@code first} on. */
    private static AgentRequest carrying(String runId, String sessionId, int step, int first) {
        List<EarlierSteps.EarlierStep> done = new ArrayList<>();
        for (int s = first; s < step; s++) {
            done.add(new EarlierSteps.EarlierStep("echo", STEPS.get(s - 1).action(), Payload.inline(runId + "-out" + s)));
        }
        Payload input = Payload.inline(first == 1 ? "in" : runId + "-out" + (first - 1));
        return new AgentRequest(runId, "wf-1", step, 1, "echo", STEPS.get(step - 1).action(),
                Payload.inline(runId + "-out" + (step - 1)), sessionId, Map.of(),
                AgentRequest.idempotencyKey(runId, step, 1), new EarlierSteps(first, input, done));
    }

    @Test
    void theRunsOwnStepsTravelWithTheRequestSoNothingWaitsForTheStore() throws Exception {
        start("wr-a", "s-1", T0);
        complete("wr-a", 1, T0.plusSeconds(1));
        start("wr-b", "s-1", T0.plusSeconds(2));
        // none of wr-b's steps has reached the store; a wait would time out after 100 ms

        List<Exchange> told = history(Duration.ofMillis(100)).before(carrying("wr-b", "s-1", 3, 1), 10)
                .get(5, TimeUnit.SECONDS);

        assertThat(told).containsExactly(new Exchange("wr-a", 1, "echo", "one", "wr-a-in1", "wr-a-out1"),
                new Exchange("wr-b", 1, "echo", "one", "in", "wr-b-out1"),
                new Exchange("wr-b", 2, "echo", "two", "wr-b-out1", "wr-b-out2"));
        assertThat(steps(history(Duration.ofMillis(100)).before(carrying("wr-b", "s-1", 3, 1), 1)))
                .containsExactly("wr-b/2");
        assertThat(history(Duration.ofMillis(100)).before(carrying("wr-b", null, 2, 1), 10).get(5, TimeUnit.SECONDS))
                .as("without a session, the run's own steps").extracting(Exchange::output).containsExactly("wr-b-out1");
    }

    @Test
    void stepsThatDidNotTravelComeFromTheStoreOnceStored() throws Exception {
        start("wr-a", "s-1", T0);

        CompletableFuture<List<Exchange>> history = history(Duration.ofSeconds(5))
                .before(carrying("wr-a", "s-1", 3, 2), 10);
        assertThat(history).as("step 1 did not travel and is not stored").isNotDone();

        complete("wr-a", 1, T0.plusSeconds(1));
        assertThat(steps(history)).containsExactly("wr-a/1", "wr-a/2");
    }

    @Test
    void aZeroLimitAsksForNothing() throws Exception {
        assertThat(history(Duration.ofMillis(100)).before(request("wr-a", "s-1", 2), 0).get()).isEmpty();
    }
}
