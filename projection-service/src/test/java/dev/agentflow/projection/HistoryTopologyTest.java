package dev.agentflow.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.projection.topology.AppliedListener;
import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.topology.StoredEvent;
import dev.agentflow.projection.view.RunView;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The history stores: every event once, in version order, exactly as on its topic; run events indexed by workflow. */
class HistoryTopologyTest {

    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private final Topics topics = Topics.defaults();
    private final List<StoredEvent> appended = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, EventEnvelope<WorkflowEvent>> workflowEvents;
    private TestInputTopic<String, EventEnvelope<RunEvent>> runEvents;

    @BeforeEach
    void setUp() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "history-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("history").toString());
        driver = new TopologyTestDriver(ProjectionTopology.build(topics, AppliedListener.NONE, AppliedListener.NONE,
                appended::add), props);
        var w = topics.workflowEvents();
        workflowEvents = driver.createInputTopic(w.name(), w.keySerde().serializer(), w.valueSerde().serializer());
        var r = topics.runEvents();
        runEvents = driver.createInputTopic(r.name(), r.keySerde().serializer(), r.valueSerde().serializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static <E> EventEnvelope<E> envelope(String id, long version, String type, E event) {
        return new EventEnvelope<>("evt-" + id + "-" + version, type, 1, id, version, AT.plusSeconds(version),
                "job-" + version, event);
    }

    private void workflow(String id, long version, WorkflowEvent event) {
        workflowEvents.pipeInput(id, envelope(id, version, Topics.WORKFLOW_EVENTS.nameOf(event), event));
    }

    private void run(String id, long version, RunEvent event) {
        runEvents.pipeInput(id, envelope(id, version, Topics.RUN_EVENTS.nameOf(event), event));
    }

    private List<KeyValue<String, StoredEvent>> all(String store) {
        KeyValueStore<String, StoredEvent> history = driver.getKeyValueStore(store);
        List<KeyValue<String, StoredEvent>> entries = new ArrayList<>();
        try (KeyValueIterator<String, StoredEvent> it = history.all()) {
            it.forEachRemaining(entries::add);
        }
        return entries;
    }

    private static RunEvent.RunStarted started(String runId, String workflowId) {
        return new RunEvent.RunStarted(runId, workflowId, "s", Payload.inline("in"),
                List.of(new StepDefinition("step-1", "echo", "a", 1, Map.of())));
    }

    @Test
    void keepsEachWorkflowEventOnceByVersionAsTheTopicHoldsIt() {
        WorkflowEvent.WorkflowCreated created = new WorkflowEvent.WorkflowCreated("wf-1", "News", null, null, List.of());
        workflow("wf-1", 1, created);
        workflow("wf-1", 2, new WorkflowEvent.WorkflowUpdated("wf-1", "Renamed", "d"));
        workflow("wf-1", 1, created);

        List<KeyValue<String, StoredEvent>> entries = all(ProjectionTopology.WORKFLOW_HISTORY_STORE);
        assertThat(entries).extracting(kv -> kv.key)
                .containsExactly("wf-1|0000000000000000001", "wf-1|0000000000000000002");
        byte[] onTopic = topics.workflowEvents().valueSerde().serializer().serialize("t",
                envelope("wf-1", 1, "WorkflowCreated", (WorkflowEvent) created));
        assertThat(entries.get(0).value.envelope()).isEqualTo(Json.mapper().readTree(onTopic));
        assertThat(entries.get(0).value.envelope().toString()).doesNotContain("dev.agentflow");
        assertThat(entries.get(1).value.envelope().path("data").path("name").asString()).isEqualTo("Renamed");
        assertThat(entries.get(1).value.workflowId()).isEqualTo("wf-1");
        assertThat(appended).as("only run events are fed live").isEmpty();
    }

    @Test
    void keepsRunEventsIndexedUnderTheirWorkflowInTopicOrderAndFeedsEachOnce() {
        run("wr-1", 1, started("wr-1", "wf-1"));
        run("wr-2", 1, started("wr-2", "wf-1"));
        run("wr-1", 2, new RunEvent.StepStarted("wr-1", 1, 1, "echo", Payload.inline("in"), AT));
        run("wr-1", 2, new RunEvent.StepStarted("wr-1", 1, 1, "echo", Payload.inline("in"), AT));
        run("wr-3", 1, started("wr-3", "wf-2"));
        run("wr-1", 3, new RunEvent.RunCompleted("wr-1", Payload.inline("out")));

        assertThat(all(ProjectionTopology.RUN_HISTORY_STORE)).extracting(kv -> kv.key).containsExactly(
                "wr-1|0000000000000000001", "wr-1|0000000000000000002", "wr-1|0000000000000000003",
                "wr-2|0000000000000000001", "wr-3|0000000000000000001");
        assertThat(appended).extracting(e -> e.aggregateId() + "@" + e.version() + " " + e.type() + " " + e.workflowId())
                .containsExactly("wr-1@1 RunStarted wf-1", "wr-2@1 RunStarted wf-1", "wr-1@2 StepStarted wf-1",
                        "wr-3@1 RunStarted wf-2", "wr-1@3 RunCompleted wf-1");
        assertThat(appended).extracting(StoredEvent::offset).containsExactly(0L, 1L, 2L, 4L, 5L);

        KeyValueStore<String, String> index = driver.getKeyValueStore(ProjectionTopology.WORKFLOW_RUN_EVENTS_STORE);
        List<KeyValue<String, String>> entries = new ArrayList<>();
        try (KeyValueIterator<String, String> it = index.all()) {
            it.forEachRemaining(entries::add);
        }
        assertThat(entries).extracting(kv -> kv.key + "=" + kv.value).containsExactly(
                "wf-1|00000|0000000000000000000=wr-1|0000000000000000001",
                "wf-1|00000|0000000000000000001=wr-2|0000000000000000001",
                "wf-1|00000|0000000000000000002=wr-1|0000000000000000002",
                "wf-1|00000|0000000000000000005=wr-1|0000000000000000003",
                "wf-2|00000|0000000000000000004=wr-3|0000000000000000001");

        RunView view = driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1");
        assertThat(view.version()).as("the view still follows").isEqualTo(3);
    }

    @Test
    void keepsFieldsANewerWriterAddedThatThisVersionDoesNotRead() {
        ObjectNode written = (ObjectNode) Json.mapper().readTree(topics.runEvents().valueSerde().serializer()
                .serialize("t", envelope("wr-1", 1, "RunStarted", (RunEvent) started("wr-1", "wf-1"))));
        written.put("traceId", "t-1");
        ((ObjectNode) written.get("data")).put("priority", "high");
        driver.createInputTopic(topics.runEvents().name(), new StringSerializer(), new StringSerializer())
                .pipeInput("wr-1", written.toString());

        assertThat(appended).singleElement().satisfies(e -> {
            assertThat(e.envelope()).isEqualTo(written);
            assertThat(e.workflowId()).isEqualTo("wf-1");
        });
        RunView view = driver.<String, RunView>getKeyValueStore(ProjectionTopology.RUN_VIEW_STORE).get("wr-1");
        assertThat(view.workflowId()).as("the view reads what it knows").isEqualTo("wf-1");
    }
}
