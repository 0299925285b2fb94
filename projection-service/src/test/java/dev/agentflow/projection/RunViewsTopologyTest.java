package dev.agentflow.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.projection.query.IndexPages;
import dev.agentflow.projection.topology.AppliedListener;
import dev.agentflow.projection.topology.HistoryListener;
import dev.agentflow.projection.topology.ListIndex;
import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.view.RunView;
import dev.agentflow.projection.view.StepView.StepStatus;
import dev.agentflow.projection.view.StepView;
import dev.agentflow.runtime.kafka.DeadLetters;
import dev.agentflow.runtime.kafka.KafkaSettings;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.run.ApprovalRequest;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The run views keep each step apart (no record holds more than one payload, whatever the number of
 * steps), index the payloads events reference, and never stop on an event they cannot fold: it goes
 * to the dead-letter topic, with nothing stored, and the next event is folded.
 */
class RunViewsTopologyTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
    private static final PayloadRef REF = new PayloadRef("pl-big", 40_000, "ab".repeat(32), 1, 0, 7, "Big…");

    private final Topics topics = Topics.defaults();
    private final List<Long> applied = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, EventEnvelope<RunEvent>> runEvents;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void setUp() throws Exception {
        KafkaSettings settings = new KafkaSettings("unused:9092", topics, Files.createTempDirectory("views"), 20,
                "test");
        Properties props = StreamsApp.properties("projection-test", settings, StreamsApp.Guarantee.AT_LEAST_ONCE);
        driver = new TopologyTestDriver(ProjectionTopology.build(topics, AppliedListener.NONE,
                (id, version) -> applied.add(version), HistoryListener.NONE), props);
        var r = topics.runEvents();
        runEvents = driver.createInputTopic(r.name(), r.keySerde().serializer(), r.valueSerde().serializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void run(String id, long version, RunEvent event) {
        runEvents.pipeInput(id, new EventEnvelope<>("evt-" + version, Topics.RUN_EVENTS.nameOf(event),
                CarriesPayloads.schemaVersionOf(event), id, version, AT.plusSeconds(version), "job-" + version, event));
    }

    private <V> List<KeyValue<String, V>> all(String store) {
        KeyValueStore<String, V> kv = driver.getKeyValueStore(store);
        List<KeyValue<String, V>> entries = new ArrayList<>();
        try (KeyValueIterator<String, V> it = kv.all()) {
            it.forEachRemaining(entries::add);
        }
        return entries;
    }

    private static List<StepDefinition> steps(int n) {
        List<StepDefinition> steps = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            steps.add(new StepDefinition("step-" + i, "echo", "do " + i, i, Map.of()));
        }
        return steps;
    }

    /** Writes a run command as the API does (its type in a header) or, {@code headed} false, as a worker does. */
    private void command(String id, RunCommand command, Instant issuedAt, boolean headed) {
        var c = topics.runCommands();
        TestInputTopic<String, CommandEnvelope<RunCommand>> in = driver.createInputTopic(c.name(),
                c.keySerde().serializer(), c.valueSerde().serializer());
        TestRecord<String, CommandEnvelope<RunCommand>> record = new TestRecord<>(id, new CommandEnvelope<>("job-0",
                Topics.RUN_COMMANDS.nameOf(command), id, issuedAt, "key:ops", command), issuedAt);
        if (headed) {
            record.headers().add(Topics.COMMAND_TYPE_HEADER,
                    Topics.RUN_COMMANDS.nameOf(command).getBytes(StandardCharsets.UTF_8));
        }
        in.pipeInput(record);
    }

    @Test
    void aRunIsShownFromItsStartRunAndItsRunStartedKeepsWhenItWasAsked() {
        Instant asked = AT.minusMillis(5);
        command("wr-1", new RunCommand.StartRun("wr-1", "wf-1", "s", Payload.inline("in"), steps(2)), asked, true);
        RunView pending = driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1");
        assertThat(pending.version()).isZero();
        assertThat(pending.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(pending.createdAt()).isEqualTo(asked);
        assertThat(pending.startedBy()).isEqualTo("key:ops");
        assertThat(all(ProjectionTopology.RUN_STEP_STORE)).hasSize(2);
        assertThat(IndexPages.count(List.of(driver.<String, Long>getKeyValueStore(ProjectionTopology.RUN_COUNT_STORE)),
                ProjectionTopology.runsOfWorkflow("wf-1"))).isEqualTo(1);

        run("wr-1", 1, new RunEvent.RunStarted("wr-1", "wf-1", "s", Payload.inline("in"), steps(2)));
        RunView started = driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1");
        assertThat(started.version()).isEqualTo(1);
        assertThat(started.createdAt()).as("the list entries stay where they are").isEqualTo(asked);
        assertThat(IndexPages.count(List.of(driver.<String, Long>getKeyValueStore(ProjectionTopology.RUN_COUNT_STORE)),
                ProjectionTopology.runsOfWorkflow("wf-1"))).isEqualTo(1);

        // a start written twice, a start without its header and every other command change nothing
        command("wr-1", new RunCommand.StartRun("wr-1", "wf-1", "s", Payload.inline("in"), steps(2)), asked, true);
        command("wr-2", new RunCommand.StartRun("wr-2", "wf-1", "s", Payload.inline("in"), steps(2)), asked, false);
        command("wr-1", new RunCommand.CancelRun("wr-1"), asked, true);
        assertThat(driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1"))
                .isEqualTo(started);
        assertThat(driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-2")).isNull();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void theViewIsTheSameWhicheverOfTheStartAndItsRunStartedIsReadFirst() {
        // two topics: one instance may read the command first, another the event (a lagging partition)
        command("wr-1", new RunCommand.StartRun("wr-1", "wf-1", "s", Payload.inline("in"), steps(2)), AT, true);
        run("wr-1", 1, new RunEvent.RunStarted("wr-1", "wf-1", "s", Payload.inline("in"), steps(2)));
        run("wr-2", 1, new RunEvent.RunStarted("wr-2", "wf-1", "s", Payload.inline("in"), steps(2)));
        assertThat(driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-2").createdAt())
                .as("until its start is read").isEqualTo(AT.plusSeconds(1));
        command("wr-2", new RunCommand.StartRun("wr-2", "wf-1", "s", Payload.inline("in"), steps(2)), AT, true);
        KeyValueStore<String, RunView> views = driver.getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE);
        assertThat(views.get("wr-2").createdAt()).isEqualTo(views.get("wr-1").createdAt()).isEqualTo(AT);
        assertThat(views.get("wr-2").updatedAt()).isEqualTo(views.get("wr-1").updatedAt());
        assertThat(views.get("wr-2").version()).isEqualTo(1);
        assertThat(all(ProjectionTopology.RUN_STEP_STORE)).hasSize(4);
        assertThat(IndexPages.count(List.of(driver.<String, Long>getKeyValueStore(ProjectionTopology.RUN_COUNT_STORE)),
                ProjectionTopology.runsOfWorkflow("wf-1"))).isEqualTo(2);
        String asked = String.format("%019d%09d|", AT.getEpochSecond(), AT.getNano());
        assertThat(all(ProjectionTopology.RUN_INDEX_STORE)).as("every list entry where the start was asked")
                .extracting(e -> e.key).filteredOn(k -> k.contains("|")).hasSize(8) // 4 lists per run
                .allMatch(k -> k.contains(asked));
    }

    @Test
    void aStartThatCannotBeReadGoesToTheDeadLettersAndTheNextIsShown() {
        var c = topics.runCommands();
        TestInputTopic<String, byte[]> raw = driver.createInputTopic(c.name(), c.keySerde().serializer(),
                new ByteArraySerializer());
        TestRecord<String, byte[]> garbage = new TestRecord<>("wr-9", "{not json".getBytes(StandardCharsets.UTF_8));
        garbage.headers().add(Topics.COMMAND_TYPE_HEADER, "StartRun".getBytes(StandardCharsets.UTF_8));
        raw.pipeInput(garbage);
        assertThat(deadLetters.readRecordsToList()).hasSize(1);

        command("wr-1", new RunCommand.StartRun("wr-1", "wf-1", "s", Payload.inline("in"), steps(1)), AT, true);
        assertThat(driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1")).isNotNull();
        assertThat(driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-9")).isNull();
    }

    @Test
    void eachStepHasItsOwnRecordAndTheRunsRecordHoldsOnlyItsInput() {
        run("wr-1", 1, new RunEvent.RunStarted("wr-1", "wf-1", "s", Payload.inline("in"), steps(8)));
        run("wr-1", 2, new RunEvent.StepStarted("wr-1", 1, 1, "echo", Payload.inline("in"), AT));
        run("wr-1", 3, new RunEvent.StepCompleted("wr-1", 1, 1, Payload.of(REF)));
        run("wr-1", 4, new RunEvent.StepStarted("wr-1", 2, 1, "echo", Payload.of(REF), AT));
        run("wr-1", 5, new RunEvent.RunPaused("wr-1", 2, new ApprovalRequest(Payload.of(REF), "ok?", null, null)));

        List<KeyValue<String, StepView>> stepViews = all(ProjectionTopology.RUN_STEP_STORE);
        assertThat(stepViews).extracting(kv -> kv.key).hasSize(8).first().isEqualTo("wr-1|00001");
        assertThat(stepViews.get(0).value.output()).isEqualTo(Payload.of(REF));
        assertThat(stepViews.get(0).value.status()).isEqualTo(StepStatus.COMPLETED);
        assertThat(stepViews.get(1).value.status()).isEqualTo(StepStatus.WAITING_FOR_APPROVAL);
        assertThat(stepViews.get(1).value.approval().proposedOutput()).isEqualTo(Payload.of(REF));
        assertThat(stepViews.get(2).value.status()).isEqualTo(StepStatus.PENDING);
        RunView view = driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1");
        assertThat(view.status()).isEqualTo(RunStatus.PAUSED);
        assertThat(view.stepCount()).isEqualTo(8);
        assertThat(view.input()).isEqualTo(Payload.inline("in"));
        assertThat(view.version()).isEqualTo(5);
        assertThat(all(ProjectionTopology.PAYLOAD_REF_STORE)).extracting(kv -> kv.key + "=" + kv.value)
                .containsExactly("pl-big=" + REF);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void anEventOfARunThatNeverStartedGoesToTheDeadLettersAndTheNextIsFolded() {
        run("wr-ghost", 1, new RunEvent.RunCompleted("wr-ghost", Payload.inline("forged")));
        run("wr-1", 1, new RunEvent.RunStarted("wr-1", "wf-1", "s", Payload.inline("in"), steps(1)));

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(1);
        TestRecord<byte[], byte[]> letter = letters.get(0);
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("wr-ghost");
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains("\"RunCompleted\"", "forged");
        assertThat(header(letter, DeadLetters.STREAMS_TOPIC)).isEqualTo(topics.runEvents().name());
        assertThat(header(letter, DeadLetters.STREAMS_OFFSET)).isEqualTo("0");
        assertThat(header(letter, DeadLetters.STREAMS_MESSAGE)).isEqualTo("Event RunCompleted v1 of wr-ghost before RunStarted");
        assertThat(header(letter, DeadLetters.COMPONENT_HEADER)).isEqualTo("agentflow.projection-test");
        assertThat(all(ProjectionTopology.RUN_HISTORY_STORE)).extracting(kv -> kv.key)
                .containsExactly("wr-1|0000000000000000001");
        assertThat(driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-ghost")).isNull();
        assertThat(applied).containsExactly(1L);
    }

    @Test
    void aRecordThatIsNotAnEventGoesToTheDeadLettersAndTheNextIsFolded() {
        TestInputTopic<String, String> raw = driver.createInputTopic(topics.runEvents().name(), new StringSerializer(),
                new StringSerializer());
        raw.pipeInput("wr-x", "not json at all");
        raw.pipeInput("wr-y", "{\"type\":\"NoSuchEvent\",\"aggregateId\":\"wr-y\",\"version\":1,\"data\":{}}");
        raw.pipeInput("wr-z", "{\"type\":\"RunCompleted\",\"data\":{\"runId\":\"wr-z\"}}");
        run("wr-1", 1, new RunEvent.RunStarted("wr-1", "wf-1", "s", Payload.inline("in"), steps(1)));

        assertThat(deadLetters.readRecordsToList()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("wr-x", "wr-y", "wr-z");
        assertThat(driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1")).isNotNull();
    }

    @Test
    void aDeadLetterCopiesAtMostABoundedPartOfTheRecord() {
        TestInputTopic<String, String> raw = driver.createInputTopic(topics.runEvents().name(), new StringSerializer(),
                new StringSerializer());
        raw.pipeInput("wr-x", "x".repeat(900_000));

        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertThat(letter.value()).hasSize(dev.agentflow.schemas.limits.Limits.DEAD_LETTER_VALUE_BYTES);
        assertThat(header(letter, DeadLetters.TRUNCATED_HEADER)).isEqualTo("900000");
        assertThat(letter.headers().toArray()).allSatisfy(h -> assertThat(h.value().length)
                .isLessThanOrEqualTo(dev.agentflow.schemas.limits.Limits.DEAD_LETTER_FIELD_BYTES));
    }

    private void runAt(String id, long version, Instant at, RunEvent event) {
        runEvents.pipeInput(id, new EventEnvelope<>("evt-" + id + "-" + version, Topics.RUN_EVENTS.nameOf(event),
                CarriesPayloads.schemaVersionOf(event), id, version, at, "job-" + version, event));
    }

    private List<String> page(String list, boolean newestFirst, int page, int size) {
        KeyValueStore<String, String> index = driver.getKeyValueStore(ProjectionTopology.RUN_INDEX_STORE);
        return IndexPages.ids(List.of(index), list, newestFirst, page, size);
    }

    private long count(String list) {
        KeyValueStore<String, Long> counts = driver.getKeyValueStore(ProjectionTopology.RUN_COUNT_STORE);
        return IndexPages.count(List.of(counts), list);
    }

    @Test
    void theRunListsFollowEachRunsStatusInCreationOrderAndAReplayChangesNothing() {
        // created out of id order, so that the lists' order is the creation order
        runAt("wr-c", 1, AT, new RunEvent.RunStarted("wr-c", "wf-1", null, Payload.inline("in"), steps(1)));
        runAt("wr-a", 1, AT.plusMillis(1), new RunEvent.RunStarted("wr-a", "wf-2", null, Payload.inline("in"),
                steps(1)));
        runAt("wr-b", 1, AT.plusMillis(2), new RunEvent.RunStarted("wr-b", "wf-1", null, Payload.inline("in"),
                steps(1)));
        runAt("wr-b", 2, AT.plusSeconds(5), new RunEvent.StepStarted("wr-b", 1, 1, "human_approval",
                Payload.inline("in"), AT));
        runAt("wr-b", 3, AT.plusSeconds(6), new RunEvent.RunPaused("wr-b", 1,
                new ApprovalRequest(Payload.inline("out"), "ok?", null, null)));
        runAt("wr-c", 2, AT.plusSeconds(7), new RunEvent.RunCompleted("wr-c", Payload.inline("out")));
        // a replay of each kind of change
        runAt("wr-b", 3, AT.plusSeconds(6), new RunEvent.RunPaused("wr-b", 1,
                new ApprovalRequest(Payload.inline("out"), "ok?", null, null)));
        runAt("wr-a", 1, AT.plusMillis(1), new RunEvent.RunStarted("wr-a", "wf-2", null, Payload.inline("in"),
                steps(1)));

        assertThat(page(ProjectionTopology.ALL_RUNS, false, 0, 10)).containsExactly("wr-c", "wr-a", "wr-b");
        assertThat(page(ProjectionTopology.ALL_RUNS, false, 1, 2)).containsExactly("wr-b");
        assertThat(page(ProjectionTopology.runsOfWorkflow("wf-1"), true, 0, 10)).containsExactly("wr-b", "wr-c");
        assertThat(page(ProjectionTopology.runsInStatus(RunStatus.PAUSED), false, 0, 10)).containsExactly("wr-b");
        assertThat(page(ProjectionTopology.runsInStatus(RunStatus.RUNNING), false, 0, 10)).containsExactly("wr-a");
        assertThat(page(ProjectionTopology.runsInStatus(RunStatus.COMPLETED), false, 0, 10))
                .containsExactly("wr-c");
        assertThat(count(ProjectionTopology.ALL_RUNS)).isEqualTo(3);
        assertThat(count(ProjectionTopology.runsOfWorkflow("wf-1"))).isEqualTo(2);
        assertThat(count(ProjectionTopology.runsInStatus(RunStatus.PAUSED))).isEqualTo(1);
        assertThat(count(ProjectionTopology.runsInStatus(RunStatus.RUNNING))).isEqualTo(1);
        assertThat(count(ProjectionTopology.runsInStatus(RunStatus.FAILED))).isZero();
        // a workflow's runs in a status: the console's filter of one workflow's runs
        assertThat(page(ProjectionTopology.runsOfWorkflowInStatus("wf-1", RunStatus.PAUSED), true, 0, 10))
                .containsExactly("wr-b");
        assertThat(page(ProjectionTopology.runsOfWorkflowInStatus("wf-1", RunStatus.COMPLETED), true, 0, 10))
                .containsExactly("wr-c");
        assertThat(page(ProjectionTopology.runsOfWorkflowInStatus("wf-1", RunStatus.RUNNING), true, 0, 10)).isEmpty();
        assertThat(count(ProjectionTopology.runsOfWorkflowInStatus("wf-1", RunStatus.PAUSED))).isEqualTo(1);
    }

    @Test
    void anIndexFilledBeforeTheListsOfAWorkflowsRunsInAStatusIsFilledAgain() {
        KeyValueStore<String, RunView> views = driver.getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE);
        KeyValueStore<String, String> index = driver.getKeyValueStore(ProjectionTopology.RUN_INDEX_STORE);
        views.put("wr-old", new RunView("wr-old", "wf-1", null, RunStatus.PAUSED, 1, 1, Payload.inline("in"), null,
                AT, AT, 3, null, null, null, null, null, null));
        // as an index of the version before left it: the run in its lists, and the mark of that version
        index.put(ListIndex.entry(ProjectionTopology.ALL_RUNS, AT, "wr-old"), "wr-old");
        index.put(ListIndex.entry(ProjectionTopology.runsOfWorkflow("wf-1"), AT, "wr-old"), "wr-old");
        index.put(ListIndex.entry(ProjectionTopology.runsInStatus(RunStatus.PAUSED), AT, "wr-old"), "wr-old");
        index.put("#filled", "#filled");

        runAt("wr-new", 1, AT.plusSeconds(1), new RunEvent.RunStarted("wr-new", "wf-1", null, Payload.inline("in"),
                steps(1)));

        assertThat(page(ProjectionTopology.runsOfWorkflowInStatus("wf-1", RunStatus.PAUSED), true, 0, 10))
                .containsExactly("wr-old");
        assertThat(count(ProjectionTopology.ALL_RUNS)).isEqualTo(2);
        assertThat(count(ProjectionTopology.runsInStatus(RunStatus.PAUSED))).isEqualTo(1);
    }

    @Test
    void runViewsWrittenBeforeTheListsExistedAreIndexedOnce() {
        KeyValueStore<String, RunView> views = driver.getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE);
        views.put("wr-old", new RunView("wr-old", "wf-1", null, RunStatus.PAUSED, 1, 1, Payload.inline("in"), null,
                AT, AT, 3, null, null, null, null, null, null));

        runAt("wr-new", 1, AT.plusSeconds(1), new RunEvent.RunStarted("wr-new", "wf-1", null, Payload.inline("in"),
                steps(1)));
        runAt("wr-new", 2, AT.plusSeconds(2), new RunEvent.RunCompleted("wr-new", Payload.inline("out")));

        assertThat(page(ProjectionTopology.runsOfWorkflow("wf-1"), true, 0, 10)).containsExactly("wr-new", "wr-old");
        assertThat(page(ProjectionTopology.runsInStatus(RunStatus.PAUSED), false, 0, 10)).containsExactly("wr-old");
        assertThat(count(ProjectionTopology.ALL_RUNS)).isEqualTo(2);
    }

    @Test
    void countsLeftBehindTheirEntriesByACrashAreCountedAgainWhenTheTaskStarts() {
        KeyValueStore<String, String> index = driver.getKeyValueStore(ProjectionTopology.RUN_INDEX_STORE);
        KeyValueStore<String, Long> counts = driver.getKeyValueStore(ProjectionTopology.RUN_COUNT_STORE);
        // an entry whose count was never written, and a count whose entries are gone
        String failed = ProjectionTopology.runsInStatus(RunStatus.FAILED);
        index.put(ListIndex.entry(failed, AT, "wr-crashed"), "wr-crashed");
        counts.put(ProjectionTopology.runsInStatus(RunStatus.CANCELLED), 7L);

        runAt("wr-new", 1, AT.plusSeconds(1), new RunEvent.RunStarted("wr-new", "wf-1", null, Payload.inline("in"),
                steps(1)));

        assertThat(count(failed)).isEqualTo(1);
        assertThat(count(ProjectionTopology.runsInStatus(RunStatus.CANCELLED))).isZero();
        assertThat(count(ProjectionTopology.runsInStatus(RunStatus.RUNNING))).isEqualTo(1);
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

}
