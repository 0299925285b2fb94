package dev.agentflow.projection.topology;

import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.projection.view.WorkflowViews;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** workflow-events → workflow-view-processor (owns workflow-view-store). */
public final class ProjectionTopology {

    public static final String NAME = "projection";
    public static final String WORKFLOW_EVENTS_SOURCE = "workflow-events-source";
    public static final String WORKFLOW_VIEW_PROCESSOR = "workflow-view-processor";
    public static final String WORKFLOW_VIEW_STORE = "workflow-view-store";

    private ProjectionTopology() {
    }

    public static Topology build(Topics topics, AppliedListener workflowsApplied) {
        Topic<String, EventEnvelope<WorkflowEvent>> events = topics.workflowEvents();
        Topology topology = new Topology();
        topology.addSource(WORKFLOW_EVENTS_SOURCE, events.keySerde().deserializer(),
                events.valueSerde().deserializer(), events.name());
        topology.addProcessor(WORKFLOW_VIEW_PROCESSOR, () -> new WorkflowViewProcessor(workflowsApplied),
                WORKFLOW_EVENTS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WORKFLOW_VIEW_STORE),
                        Serdes.String(), JsonSerde.of(WorkflowView.class))
                .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topic.MAX_MESSAGE_BYTES))),
                WORKFLOW_VIEW_PROCESSOR);
        return topology;
    }

    static final class WorkflowViewProcessor implements Processor<String, EventEnvelope<WorkflowEvent>, Void, Void> {

        private final AppliedListener listener;
        private KeyValueStore<String, WorkflowView> store;

        WorkflowViewProcessor(AppliedListener listener) {
            this.listener = listener;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(WORKFLOW_VIEW_STORE);
        }

        @Override
        public void process(Record<String, EventEnvelope<WorkflowEvent>> record) {
            EventEnvelope<WorkflowEvent> envelope = record.value();
            if (envelope == null || envelope.data() == null) {
                return;
            }
            WorkflowView before = store.get(envelope.aggregateId());
            WorkflowView after = WorkflowViews.evolve(before, envelope);
            if (after != before) {
                store.put(envelope.aggregateId(), after);
            }
            listener.applied(envelope.aggregateId(), after.version());
        }
    }
}
