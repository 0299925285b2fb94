package dev.agentflow.projection;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.projection.query.Page;
import dev.agentflow.projection.query.VersionWatch;
import dev.agentflow.projection.topology.AppliedListener;
import dev.agentflow.projection.topology.HistoryListener;
import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import dev.agentflow.views.WorkflowVersion;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProjectionTopologyTest {

    private final Topics topics = Topics.defaults();
    private final VersionWatch watch = new VersionWatch();
    private final List<String> applied = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, EventEnvelope<WorkflowEvent>> events;
    private KeyValueStore<String, WorkflowView> store;

    @BeforeEach
    void setUp() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "projection-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("projection").toString());
        driver = new TopologyTestDriver(ProjectionTopology.build(topics, (id, v) -> {
            applied.add(id + "@" + v);
            watch.applied(id, v);
        }, AppliedListener.NONE, HistoryListener.NONE), props);
        var e = topics.workflowEvents();
        events = driver.createInputTopic(e.name(), e.keySerde().serializer(), e.valueSerde().serializer());
        store = driver.getKeyValueStore(ProjectionTopology.WORKFLOW_VIEW_STORE);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void pipe(String id, long version, String at, WorkflowEvent event) {
        events.pipeInput(id, new EventEnvelope<>("evt-" + version, Topics.WORKFLOW_EVENTS.nameOf(event), 1, id, version,
                Instant.parse(at), "job-" + version, event));
    }

    private static StepDefinition step(String id, int order) {
        return new StepDefinition(id, "echo", id, order, Map.of());
    }

    @Test
    void foldsEventsIntoAView() {
        pipe("wf-1", 1, "2026-01-01T00:00:00Z", new WorkflowEvent.WorkflowCreated("wf-1", "News", "d", null, List.of()));
        pipe("wf-1", 2, "2026-01-01T00:00:01Z", new WorkflowEvent.StepAdded("wf-1", step("a", 1)));
        pipe("wf-1", 3, "2026-01-01T00:00:02Z", new WorkflowEvent.StepAdded("wf-1", step("b", 1)));
        pipe("wf-1", 4, "2026-01-01T00:00:03Z", new WorkflowEvent.WorkflowUpdated("wf-1", "Renamed", null));
        pipe("wf-1", 5, "2026-01-01T00:00:04Z", new WorkflowEvent.StepRemoved("wf-1", "b"));
        pipe("wf-1", 6, "2026-01-01T00:00:05Z", new WorkflowEvent.StepAdded("wf-1", step("c", 2)));
        pipe("wf-1", 7, "2026-01-01T00:00:06Z", new WorkflowEvent.StepUpdated("wf-1", step("a", 2)));

        WorkflowView view = store.get("wf-1");
        assertThat(view.name()).isEqualTo("Renamed");
        assertThat(view.description()).isNull();
        assertThat(view.steps()).containsExactly(step("c", 1), step("a", 2));
        assertThat(view.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(view.updatedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:06Z"));
        assertThat(view.version()).isEqualTo(7);
        assertThat(applied).containsExactly("wf-1@1", "wf-1@2", "wf-1@3", "wf-1@4", "wf-1@5", "wf-1@6", "wf-1@7");
    }

    @Test
    void eachChangeOfTheDefinitionIsAVersionKeptAsItWas() {
        pipe("wf-1", 1, "2026-01-01T00:00:00Z", new WorkflowEvent.WorkflowCreated("wf-1", "News", "d", null, List.of()));
        pipe("wf-1", 2, "2026-01-01T00:00:01Z", new WorkflowEvent.StepAdded("wf-1", step("a", 1)));
        pipe("wf-1", 3, "2026-01-01T00:00:02Z", new WorkflowEvent.WorkflowUpdated("wf-1", "News", "d"));
        pipe("wf-1", 4, "2026-01-01T00:00:03Z", new WorkflowEvent.WorkflowCloned("wf-1", "wf-2"));
        pipe("wf-1", 5, "2026-01-01T00:00:04Z", new WorkflowEvent.StepUpdated("wf-1",
                new StepDefinition("a", "echo", "changed", 1, Map.of())));

        assertThat(store.get("wf-1").definitionVersion()).as("no version for a change to the same, or a clone")
                .isEqualTo(3);
        KeyValueStore<String, WorkflowVersion> versions = driver.getKeyValueStore(
                ProjectionTopology.WORKFLOW_VERSION_STORE);
        WorkflowVersion first = versions.get(ProjectionTopology.versionKey("wf-1", 1));
        assertThat(first.steps()).isEmpty();
        assertThat(first.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(versions.get(ProjectionTopology.versionKey("wf-1", 2)).steps()).containsExactly(step("a", 1));
        assertThat(versions.get(ProjectionTopology.versionKey("wf-1", 3)).steps()).extracting(StepDefinition::action)
                .containsExactly("changed");
        assertThat(versions.get(ProjectionTopology.versionKey("wf-1", 4))).isNull();
    }

    @Test
    void replayedEventsChangeNothing() {
        pipe("wf-1", 1, "2026-01-01T00:00:00Z", new WorkflowEvent.WorkflowCreated("wf-1", "News", "d", null, List.of()));
        pipe("wf-1", 2, "2026-01-01T00:00:01Z", new WorkflowEvent.StepAdded("wf-1", step("a", 1)));
        WorkflowView once = store.get("wf-1");

        pipe("wf-1", 2, "2026-01-01T00:00:01Z", new WorkflowEvent.StepAdded("wf-1", step("a", 1)));

        assertThat(store.get("wf-1")).isEqualTo(once);
    }

    @Test
    void deleteLeavesATombstoneWithoutSteps() {
        pipe("wf-1", 1, "2026-01-01T00:00:00Z", new WorkflowEvent.WorkflowCreated("wf-1", "N", null, null,
                List.of(step("a", 1))));
        pipe("wf-1", 2, "2026-01-01T00:00:01Z", new WorkflowEvent.WorkflowDeleted("wf-1"));

        assertThat(store.get("wf-1").deleted()).isTrue();
        assertThat(store.get("wf-1").steps()).isEmpty();
    }

    @Test
    void cloningLeavesTheSourcesUpdatedAt() {
        pipe("wf-1", 1, "2026-01-01T00:00:00Z", new WorkflowEvent.WorkflowCreated("wf-1", "N", null, null, List.of()));
        pipe("wf-1", 2, "2026-01-01T00:00:09Z", new WorkflowEvent.WorkflowCloned("wf-1", "wf-2"));

        assertThat(store.get("wf-1").updatedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(store.get("wf-1").version()).isEqualTo(2);
    }

    @Test
    void waitersCompleteWhenTheirVersionIsApplied() {
        CompletableFuture<Void> v2 = watch.whenApplied("wf-1", 2, () -> 0);
        pipe("wf-1", 1, "2026-01-01T00:00:00Z", new WorkflowEvent.WorkflowCreated("wf-1", "N", null, null, List.of()));
        assertThat(v2).isNotDone();
        pipe("wf-1", 2, "2026-01-01T00:00:01Z", new WorkflowEvent.WorkflowUpdated("wf-1", "M", null));
        assertThat(v2).isDone();
        assertThat(watch.whenApplied("wf-1", 1, () -> 2)).isDone();
    }

    @Test
    void pagesAreCutFromTheWholeList() {
        Page<Integer> page = Page.of(List.of(1, 2, 3, 4, 5), 1, 2);
        assertThat(page.content()).containsExactly(3, 4);
        assertThat(page.totalElements()).isEqualTo(5);
        assertThat(page.totalPages()).isEqualTo(3);
        assertThat(page.page()).isEqualTo(new Page.Metadata(2, 1, 5, 3));
        assertThat(Page.of(List.of(1), 4, 2).content()).isEmpty();
        assertThat(Page.of(List.of(), 0, 20).totalPages()).isZero();
    }
}
