package dev.agentflow.projection.topology;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.projection.view.RunViews;
import dev.agentflow.projection.view.WorkflowView;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;
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

/**
 * workflow-events → workflow-view-processor (owns workflow-view-store);
 * run-events → run-view-processor (owns run-view-store).
 */
public final class ProjectionTopology {

    public static final String NAME = "projection";
    public static final String WORKFLOW_EVENTS_SOURCE = "workflow-events-source";
    public static final String WORKFLOW_VIEW_PROCESSOR = "workflow-view-processor";
    public static final String WORKFLOW_VIEW_STORE = "workflow-view-store";
    public static final String RUN_EVENTS_SOURCE = "run-events-source";
    public static final String RUN_VIEW_PROCESSOR = "run-view-processor";
    public static final String RUN_VIEW_STORE = "run-view-store";

    private ProjectionTopology() {
    }

    public static Topology build(Topics topics, AppliedListener workflowsApplied, AppliedListener runsApplied) {
        Topic<String, EventEnvelope<WorkflowEvent>> events = topics.workflowEvents();
        Topology topology = new Topology();
        topology.addSource(WORKFLOW_EVENTS_SOURCE, events.keySerde().deserializer(),
                events.valueSerde().deserializer(), events.name());
        topology.addProcessor(WORKFLOW_VIEW_PROCESSOR, () -> new ViewProcessor<>(WORKFLOW_VIEW_STORE,
                WorkflowViews::evolve, WorkflowView::version, workflowsApplied), WORKFLOW_EVENTS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WORKFLOW_VIEW_STORE),
                        Serdes.String(), JsonSerde.of(WorkflowView.class))
                .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topic.MAX_MESSAGE_BYTES))),
                WORKFLOW_VIEW_PROCESSOR);

        var runEvents = topics.runEvents();
        topology.addSource(RUN_EVENTS_SOURCE, runEvents.keySerde().deserializer(),
                runEvents.valueSerde().deserializer(), runEvents.name());
        topology.addProcessor(RUN_VIEW_PROCESSOR, () -> new ViewProcessor<>(RUN_VIEW_STORE, RunViews::evolve,
                RunView::version, runsApplied), RUN_EVENTS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(RUN_VIEW_STORE),
                        Serdes.String(), JsonSerde.of(RunView.class))
                .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topic.MAX_MESSAGE_BYTES))),
                RUN_VIEW_PROCESSOR);
        return topology;
    }

    /** Folds one aggregate's events into its view with a pure evolve function, and tells the listener. */
    static final class ViewProcessor<E, V> implements Processor<String, EventEnvelope<E>, Void, Void> {

        private final String storeName;
        private final BiFunction<V, EventEnvelope<E>, V> evolve;
        private final ToLongFunction<V> version;
        private final AppliedListener listener;
        private KeyValueStore<String, V> store;

        ViewProcessor(String storeName, BiFunction<V, EventEnvelope<E>, V> evolve, ToLongFunction<V> version,
                      AppliedListener listener) {
            this.storeName = storeName;
            this.evolve = evolve;
            this.version = version;
            this.listener = listener;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, EventEnvelope<E>> record) {
            EventEnvelope<E> envelope = record.value();
            if (envelope == null || envelope.data() == null) {
                return;
            }
            V before = store.get(envelope.aggregateId());
            V after = evolve.apply(before, envelope);
            if (after != before) {
                store.put(envelope.aggregateId(), after);
            }
            listener.applied(envelope.aggregateId(), version.applyAsLong(after));
        }
    }
}
