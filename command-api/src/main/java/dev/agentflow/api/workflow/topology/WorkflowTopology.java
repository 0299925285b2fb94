package dev.agentflow.api.workflow.topology;

import dev.agentflow.api.workflow.domain.FollowUp;
import dev.agentflow.api.workflow.domain.WorkflowDecider;
import dev.agentflow.api.workflow.domain.WorkflowState;
import dev.agentflow.runtime.kafka.DeciderProcessor;
import dev.agentflow.runtime.kafka.IdempotencyProcessor;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * workflow-commands → workflow-idempotency-processor (owns workflow-idempotency-store; a create sent
 * with an {@code Idempotency-Key} goes back to workflow-commands once, keyed by its workflow) →
 * workflow-command-processor (owns workflow-state-store) → workflow-events,
 * command-replies, and follow-up commands: back to workflow-commands (a clone's creation) and to
 * run-commands (a run's start).
 */
public final class WorkflowTopology {

    public static final String NAME = "workflow-decider";
    public static final String SOURCE = "workflow-commands-source";
    /** Applies each create sent with an {@code Idempotency-Key} once per key: see {@link IdempotencyProcessor}. */
    public static final String IDEMPOTENCY = "workflow-idempotency-processor";
    public static final String IDEMPOTENCY_STORE = "workflow-idempotency-store";
    public static final String PROCESSOR = "workflow-command-processor";
    public static final String STORE = "workflow-state-store";
    public static final String EVENTS_SINK = "workflow-events-sink";
    public static final String REPLIES_SINK = "command-replies-sink";
    public static final String COMMANDS_SINK = "workflow-commands-sink";
    public static final String RUN_COMMANDS_SINK = "run-commands-sink";

    private WorkflowTopology() {
    }

    public static Topology build(Topics topics, Limits limits) {
        return addTo(new Topology(), topics, limits);
    }

    /** Adds this topology's nodes and stores to {@code topology} (the one Spring for Apache Kafka builds). */
    public static Topology addTo(Topology topology, Topics topics, Limits limits) {
        Topic<String, CommandEnvelope<WorkflowCommand>> commands = topics.workflowCommands();
        Topic<String, EventEnvelope<WorkflowEvent>> events = topics.workflowEvents();
        Topic<String, CommandReply> replies = topics.commandReplies();
        topology.addSource(SOURCE, commands.keySerde().deserializer(), commands.valueSerde().deserializer(),
                commands.name());
        WorkflowDecider decider = new WorkflowDecider(limits);
        topology.addProcessor(IDEMPOTENCY, () -> new IdempotencyProcessor<WorkflowCommand>(
                new IdempotencyProcessor.Spec(IDEMPOTENCY_STORE, PROCESSOR, COMMANDS_SINK, REPLIES_SINK, false)), SOURCE);
        topology.addStateStore(IdempotencyProcessor.store(IDEMPOTENCY_STORE), IDEMPOTENCY);
        topology.addProcessor(PROCESSOR, () -> new DeciderProcessor<>(new DeciderProcessor.Spec<>(decider, STORE,
                EVENTS_SINK, REPLIES_SINK, Topics.WORKFLOW_EVENTS, new WorkflowRoutes())) {
            @Override
            protected String logKey() {
                return "workflowId";
            }

            @Override
            protected String spanName() {
                return NAME;
            }
        }, IDEMPOTENCY);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                Serdes.String(), JsonSerde.of(WorkflowState.class)).withLoggingEnabled(Map.of()), PROCESSOR);
        topology.addSink(EVENTS_SINK, events.name(), events.keySerde().serializer(),
                erase(events.valueSerde().serializer()), PROCESSOR);
        topology.addSink(REPLIES_SINK, replies.name(), replies.keySerde().serializer(),
                erase(replies.valueSerde().serializer()), PROCESSOR, IDEMPOTENCY);
        topology.addSink(COMMANDS_SINK, commands.name(), commands.keySerde().serializer(),
                erase(commands.valueSerde().serializer()), PROCESSOR, IDEMPOTENCY);
        topology.addSink(RUN_COMMANDS_SINK, topics.runCommands().name(), topics.runCommands().keySerde().serializer(),
                erase(topics.runCommands().valueSerde().serializer()), PROCESSOR);
        return topology;
    }

    @SuppressWarnings("unchecked")
    private static Serializer<Object> erase(Serializer<?> serializer) {
        return (Serializer<Object>) serializer;
    }

    /**
     * The workflow decider on the one decider runtime: a clone's creation goes back to
     * workflow-commands, a run's start to run-commands, both under the cause's command id and actor; a command
     * whose follow-up completes the operation leaves the reply to it.
     */
    static final class WorkflowRoutes implements DeciderProcessor.Routes<WorkflowCommand, FollowUp> {

        @Override
        public void route(FollowUp followUp, CommandEnvelope<WorkflowCommand> cause, Instant now,
                          DeciderProcessor.Forward forward) {
            if (followUp instanceof FollowUp.ToWorkflow w) {
                String key = w.command().workflowId();
                forward.to(COMMANDS_SINK, key, new CommandEnvelope<>(cause.commandId(),
                        Topics.WORKFLOW_COMMANDS.nameOf(w.command()), key, now, cause.actor(), w.command()));
            } else if (followUp instanceof FollowUp.ToRun r) {
                String key = r.command().runId();
                forward.to(RUN_COMMANDS_SINK, key, new CommandEnvelope<>(cause.commandId(),
                        Topics.RUN_COMMANDS.nameOf(r.command()), key, now, cause.actor(), r.command()));
            } else {
                throw new IllegalStateException("Unhandled follow-up " + followUp);
            }
        }

        @Override
        public boolean replies(WorkflowCommand command, List<FollowUp> followUps) {
            return followUps.isEmpty();
        }
    }
}
