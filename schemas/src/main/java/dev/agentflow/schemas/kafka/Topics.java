package dev.agentflow.schemas.kafka;

import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.EnvelopeSerde;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.json.TypeRegistry;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunDelta;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic of agentflow in one place: names (from a prefix, default {@code agentflow.}),
 * partitions, retention and serdes. Event topics and the payload topic keep their records forever.
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "agentflow.";
    public static final int DEFAULT_PARTITIONS = 3;
    public static final long FOREVER = -1L;
    public static final long SHORT_RETENTION_MS = Duration.ofDays(7).toMillis();
    public static final long DEAD_LETTER_RETENTION_MS = Duration.ofDays(30).toMillis();

    /**
     * A record header naming a command's type, on every command the API writes: readers other than
     * the decider look for one type (the projection shows a run from the moment its {@code StartRun}
     * is written) and skip the rest unread.
     */
    public static final String COMMAND_TYPE_HEADER = "agentflow.command-type";
    public static final TypeRegistry<WorkflowCommand> WORKFLOW_COMMANDS = TypeRegistry.of(WorkflowCommand.class);
    public static final TypeRegistry<WorkflowEvent> WORKFLOW_EVENTS = TypeRegistry.of(WorkflowEvent.class);
    public static final TypeRegistry<RunCommand> RUN_COMMANDS = TypeRegistry.of(RunCommand.class);
    public static final TypeRegistry<RunEvent> RUN_EVENTS = TypeRegistry.of(RunEvent.class);

    private final String prefix;
    private final Topic<String, CommandEnvelope<WorkflowCommand>> workflowCommands;
    private final Topic<String, EventEnvelope<WorkflowEvent>> workflowEvents;
    private final Topic<String, CommandReply> commandReplies;
    private final Topic<String, CommandEnvelope<RunCommand>> runCommands;
    private final Topic<String, EventEnvelope<RunEvent>> runEvents;
    private final Topic<String, AgentRequest> agentRequests;
    private final Topic<String, byte[]> payloads;
    private final Topic<byte[], byte[]> deadLetters;
    private final Topic<String, RunDelta> runDeltas;

    /** How long the run-deltas topic keeps streamed pieces of answers by default. */
    public static final long DEFAULT_DELTA_RETENTION_MS = Duration.ofHours(1).toMillis();

    public Topics(String prefix, int partitions) {
        this(prefix, partitions, DEFAULT_DELTA_RETENTION_MS);
    }

    /** @param deltaRetentionMs how long run-deltas keeps the pieces of answers agents stream */
    public Topics(String prefix, int partitions, long deltaRetentionMs) {
        this.prefix = prefix;
        this.workflowCommands = new Topic<>(prefix + "workflow-commands", partitions, SHORT_RETENTION_MS,
                Serdes.String(), EnvelopeSerde.commands(WORKFLOW_COMMANDS));
        this.workflowEvents = new Topic<>(prefix + "workflow-events", partitions, FOREVER,
                Serdes.String(), EnvelopeSerde.events(WORKFLOW_EVENTS));
        this.commandReplies = new Topic<>(prefix + "command-replies", partitions, SHORT_RETENTION_MS,
                Serdes.String(), JsonSerde.of(CommandReply.class));
        this.runCommands = new Topic<>(prefix + "run-commands", partitions, SHORT_RETENTION_MS,
                Serdes.String(), EnvelopeSerde.commands(RUN_COMMANDS));
        this.runEvents = new Topic<>(prefix + "run-events", partitions, FOREVER,
                Serdes.String(), EnvelopeSerde.events(RUN_EVENTS));
        this.agentRequests = new Topic<>(prefix + "agent-requests", partitions, SHORT_RETENTION_MS,
                Serdes.String(), JsonSerde.of(AgentRequest.class));
        this.payloads = new Topic<>(prefix + "payloads", partitions, FOREVER, Serdes.String(), Serdes.ByteArray());
        this.deadLetters = new Topic<>(prefix + "dead-letters", partitions, DEAD_LETTER_RETENTION_MS,
                Serdes.ByteArray(), Serdes.ByteArray());
        this.runDeltas = new Topic<>(prefix + "run-deltas", partitions, deltaRetentionMs, Serdes.String(),
                JsonSerde.of(RunDelta.class));
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX, DEFAULT_PARTITIONS);
    }

    public String prefix() {
        return prefix;
    }

    public Topic<String, CommandEnvelope<WorkflowCommand>> workflowCommands() {
        return workflowCommands;
    }

    public Topic<String, EventEnvelope<WorkflowEvent>> workflowEvents() {
        return workflowEvents;
    }

    public Topic<String, CommandReply> commandReplies() {
        return commandReplies;
    }

    public Topic<String, CommandEnvelope<RunCommand>> runCommands() {
        return runCommands;
    }

    public Topic<String, EventEnvelope<RunEvent>> runEvents() {
        return runEvents;
    }

    public Topic<String, AgentRequest> agentRequests() {
        return agentRequests;
    }

    /** Payloads too large to travel inline, in chunks keyed by payload id: kept as long as the events. */
    public Topic<String, byte[]> payloads() {
        return payloads;
    }

    /** Copies of records a component could not read or apply, with headers saying where from and why. */
    public Topic<byte[], byte[]> deadLetters() {
        return deadLetters;
    }

    /** The pieces of answers agents stream, keyed by run id: short retention, not events of record. */
    public Topic<String, RunDelta> runDeltas() {
        return runDeltas;
    }

    /** Every topic, for creation at start-up. */
    public List<Topic<?, ?>> all() {
        return List.of(workflowCommands, workflowEvents, commandReplies, runCommands, runEvents, agentRequests,
                payloads, deadLetters, runDeltas);
    }

    /** The Kafka Streams application id of one of the engine's topologies, under the same prefix. */
    public String applicationId(String name) {
        return prefix.replaceAll("[^A-Za-z0-9._-]", "-") + name;
    }
}
