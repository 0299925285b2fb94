package dev.agentflow.api.workflow.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkflowTopologyTest {

    private final Topics topics = Topics.defaults();
    private TopologyTestDriver driver;
    private TestInputTopic<String, CommandEnvelope<WorkflowCommand>> commands;
    private TestOutputTopic<String, EventEnvelope<WorkflowEvent>> events;
    private TestOutputTopic<String, CommandReply> replies;

    @BeforeEach
    void setUp() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "workflow-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("wf-topology").toString());
        driver = new TopologyTestDriver(WorkflowTopology.build(topics, Limits.DEFAULTS), props);
        var c = topics.workflowCommands();
        commands = driver.createInputTopic(c.name(), c.keySerde().serializer(), c.valueSerde().serializer());
        var e = topics.workflowEvents();
        events = driver.createOutputTopic(e.name(), e.keySerde().deserializer(), e.valueSerde().deserializer());
        var r = topics.commandReplies();
        replies = driver.createOutputTopic(r.name(), r.keySerde().deserializer(), r.valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void send(String commandId, WorkflowCommand command) {
        commands.pipeInput(command.workflowId(), new CommandEnvelope<>(commandId,
                Topics.WORKFLOW_COMMANDS.nameOf(command), command.workflowId(), Instant.now(), command));
    }

    @Test
    void acceptedCommandWritesVersionedEventsAndAReply() {
        send("job-1", new WorkflowCommand.CreateWorkflow("wf-1", "News", null, null, List.of()));
        send("job-2", new WorkflowCommand.AddStep("wf-1", "step-1", "echo", "say", null, Map.of()));

        List<EventEnvelope<WorkflowEvent>> written = events.readValuesToList();
        assertThat(written).extracting(EventEnvelope::type).containsExactly("WorkflowCreated", "StepAdded");
        assertThat(written).extracting(EventEnvelope::version).containsExactly(1L, 2L);
        assertThat(written).extracting(EventEnvelope::commandId).containsExactly("job-1", "job-2");
        assertThat(written).allSatisfy(e -> {
            assertThat(e.aggregateId()).isEqualTo("wf-1");
            assertThat(e.schemaVersion()).isEqualTo(1);
            assertThat(e.eventId()).startsWith("evt-");
        });
        assertThat(replies.readKeyValuesToMap()).containsEntry("job-1", CommandReply.accepted("job-1", "wf-1", 1))
                .containsEntry("job-2", CommandReply.accepted("job-2", "wf-1", 2));
    }

    @Test
    void rejectedCommandWritesNoEventAndNoState() {
        send("job-1", new WorkflowCommand.AddStep("wf-404", "step-1", "echo", "say", null, Map.of()));

        assertThat(events.isEmpty()).isTrue();
        CommandReply reply = replies.readValue();
        assertThat(reply.accepted()).isFalse();
        assertThat(reply.rejection().reason()).isEqualTo(Rejection.Reason.NOT_FOUND);
        assertThat(driver.getKeyValueStore(WorkflowTopology.STORE).get("wf-404")).isNull();
    }

    @Test
    void cloneIsCompletedByTheNewWorkflowsCreation() {
        send("job-1", new WorkflowCommand.CreateWorkflow("wf-1", "News", "d", null, List.of()));
        send("job-2", new WorkflowCommand.AddStep("wf-1", "step-1", "echo", "say", null, Map.of("k", "v")));
        events.readValuesToList();
        replies.readValuesToList();

        send("job-3", new WorkflowCommand.CloneWorkflow("wf-1", "wf-2"));

        List<EventEnvelope<WorkflowEvent>> written = events.readValuesToList();
        assertThat(written).extracting(EventEnvelope::aggregateId).containsExactly("wf-1", "wf-2");
        assertThat(written).extracting(EventEnvelope::type).containsExactly("WorkflowCloned", "WorkflowCreated");
        var created = (WorkflowEvent.WorkflowCreated) written.get(1).data();
        assertThat(created.name()).isEqualTo("News (Copy)");
        assertThat(created.clonedFrom()).isEqualTo("wf-1");
        assertThat(created.steps()).singleElement().satisfies(s -> {
            assertThat(s.id()).isNotEqualTo("step-1");
            assertThat(s.config()).containsEntry("k", "v");
        });
        assertThat(replies.readValuesToList()).containsExactly(CommandReply.accepted("job-3", "wf-2", 1));
    }
}
