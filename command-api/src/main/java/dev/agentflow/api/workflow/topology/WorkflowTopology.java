package dev.agentflow.api.workflow.topology;

import dev.agentflow.api.workflow.domain.FollowUp;
import dev.agentflow.api.workflow.domain.WorkflowDecider;
import dev.agentflow.api.workflow.domain.WorkflowState;
import dev.agentflow.runtime.decider.Decision;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.CommandReply;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * workflow-commands → workflow-command-processor (owns workflow-state-store) → workflow-events,
 * command-replies, and follow-up commands: back to workflow-commands (a clone's creation) and to
 * run-commands (a run's start).
 */
public final class WorkflowTopology {

    public static final String NAME = "workflow-decider";
    public static final String SOURCE = "workflow-commands-source";
    public static final String PROCESSOR = "workflow-command-processor";
    public static final String STORE = "workflow-state-store";
    public static final String EVENTS_SINK = "workflow-events-sink";
    public static final String REPLIES_SINK = "command-replies-sink";
    public static final String COMMANDS_SINK = "workflow-commands-sink";
    public static final String RUN_COMMANDS_SINK = "run-commands-sink";

    private WorkflowTopology() {
    }

    public static Topology build(Topics topics, Limits limits) {
        Topic<String, CommandEnvelope<WorkflowCommand>> commands = topics.workflowCommands();
        Topic<String, EventEnvelope<WorkflowEvent>> events = topics.workflowEvents();
        Topic<String, CommandReply> replies = topics.commandReplies();
        Topology topology = new Topology();
        topology.addSource(SOURCE, commands.keySerde().deserializer(), commands.valueSerde().deserializer(),
                commands.name());
        topology.addProcessor(PROCESSOR, () -> new CommandProcessor(new WorkflowDecider(limits)), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
                Serdes.String(), JsonSerde.of(WorkflowState.class)).withLoggingEnabled(Map.of()), PROCESSOR);
        topology.addSink(EVENTS_SINK, events.name(), events.keySerde().serializer(),
                erase(events.valueSerde().serializer()), PROCESSOR);
        topology.addSink(REPLIES_SINK, replies.name(), replies.keySerde().serializer(),
                erase(replies.valueSerde().serializer()), PROCESSOR);
        topology.addSink(COMMANDS_SINK, commands.name(), commands.keySerde().serializer(),
                erase(commands.valueSerde().serializer()), PROCESSOR);
        topology.addSink(RUN_COMMANDS_SINK, topics.runCommands().name(), topics.runCommands().keySerde().serializer(),
                erase(topics.runCommands().valueSerde().serializer()), PROCESSOR);
        return topology;
    }

    @SuppressWarnings("unchecked")
    private static Serializer<Object> erase(Serializer<?> serializer) {
        return (Serializer<Object>) serializer;
    }

    /** Load state, decide, fold and store, forward events, follow-ups and the reply: one transaction. */
    static final class CommandProcessor implements Processor<String, CommandEnvelope<WorkflowCommand>, String, Object> {

        private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);

        private final WorkflowDecider decider;
        private ProcessorContext<String, Object> context;
        private KeyValueStore<String, WorkflowState> store;

        CommandProcessor(WorkflowDecider decider) {
            this.decider = decider;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
            this.store = context.getStateStore(STORE);
        }

        @Override
        public void process(Record<String, CommandEnvelope<WorkflowCommand>> record) {
            CommandEnvelope<WorkflowCommand> command = record.value();
            if (command == null || command.data() == null || record.key() == null) {
                LOG.warn("Skipping an empty workflow command at key {}", record.key());
                return;
            }
            String id = record.key();
            WorkflowState state = store.get(id);
            if (state == null) {
                state = decider.initialState();
            }
            long now = context.currentSystemTimeMs();
            Decision<WorkflowEvent> decision = decider.decide(command.data(), state);
            if (decision instanceof Decision.Rejected<WorkflowEvent> rejected) {
                reply(command, CommandReply.rejected(command.commandId(), id, rejected.rejection()), now);
                return;
            }
            // Everything is decided before anything is written: a decider that throws leaves nothing behind.
            List<FollowUp> followUps = new ArrayList<>();
            List<EventEnvelope<WorkflowEvent>> envelopes = new ArrayList<>();
            for (WorkflowEvent event : ((Decision.Accepted<WorkflowEvent>) decision).events()) {
                state = decider.evolve(state, event);
                envelopes.add(new EventEnvelope<>(Ids.eventId(), Topics.WORKFLOW_EVENTS.nameOf(event),
                        CarriesPayloads.schemaVersionOf(event), id, state.version(), Instant.ofEpochMilli(now),
                        command.commandId(), event));
                followUps.addAll(decider.react(state, event));
            }
            envelopes.forEach(envelope -> context.forward(new Record<>(id, (Object) envelope, now), EVENTS_SINK));
            store.put(id, state);
            for (FollowUp followUp : followUps) {
                if (followUp instanceof FollowUp.ToWorkflow w) {
                    String key = w.command().workflowId();
                    context.forward(new Record<>(key, (Object) new CommandEnvelope<>(command.commandId(),
                            Topics.WORKFLOW_COMMANDS.nameOf(w.command()), key, Instant.ofEpochMilli(now),
                            w.command()), now), COMMANDS_SINK);
                } else if (followUp instanceof FollowUp.ToRun r) {
                    String key = r.command().runId();
                    context.forward(new Record<>(key, (Object) new CommandEnvelope<>(command.commandId(),
                            Topics.RUN_COMMANDS.nameOf(r.command()), key, Instant.ofEpochMilli(now),
                            r.command()), now), RUN_COMMANDS_SINK);
                } else {
                    throw new IllegalStateException("Unhandled follow-up " + followUp);
                }
            }
            if (followUps.isEmpty()) {
                reply(command, CommandReply.accepted(command.commandId(), id, state.version()), now);
            }
        }

        private void reply(CommandEnvelope<WorkflowCommand> command, CommandReply reply, long now) {
            context.forward(new Record<>(command.commandId(), (Object) reply, now), REPLIES_SINK);
        }
    }
}
