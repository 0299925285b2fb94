package dev.agentflow.projection.topology;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.projection.view.RunViews;
import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.projection.view.WorkflowViews;
import dev.agentflow.schemas.envelope.EnvelopeSerde;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * workflow-events → workflow-history-processor (owns workflow-history-store) → workflow-view-processor
 * (owns workflow-view-store); run-events → run-history-processor (owns run-history-store and
 * workflow-run-events-store, reads run-view-store) → run-view-processor (owns run-view-store).
 * History comes first, so that once a view shows an event (and a write answers), its history does too.
 */
public final class ProjectionTopology {

    public static final String NAME = "projection";
    public static final String WORKFLOW_EVENTS_SOURCE = "workflow-events-source";
    public static final String WORKFLOW_VIEW_PROCESSOR = "workflow-view-processor";
    public static final String WORKFLOW_VIEW_STORE = "workflow-view-store";
    public static final String RUN_EVENTS_SOURCE = "run-events-source";
    public static final String RUN_VIEW_PROCESSOR = "run-view-processor";
    public static final String RUN_VIEW_STORE = "run-view-store";
    public static final String WORKFLOW_HISTORY_PROCESSOR = "workflow-history-processor";
    public static final String WORKFLOW_HISTORY_STORE = "workflow-history-store";
    public static final String RUN_HISTORY_PROCESSOR = "run-history-processor";
    public static final String RUN_HISTORY_STORE = "run-history-store";
    /** The events of every run of a workflow: {@code workflowId|partition|offset} → the run-history-store key. */
    public static final String WORKFLOW_RUN_EVENTS_STORE = "workflow-run-events-store";

    private ProjectionTopology() {
    }

    /** The projection's name on one instance: every instance keeps every view, under its own application id. */
    public static String appName(String instanceId) {
        return NAME + "-" + instanceId;
    }

    public static Topology build(Topics topics, AppliedListener workflowsApplied, AppliedListener runsApplied,
                                 HistoryListener runEventsAppended) {
        Topic<String, EventEnvelope<WorkflowEvent>> events = topics.workflowEvents();
        Topology topology = new Topology();
        topology.addSource(WORKFLOW_EVENTS_SOURCE, events.keySerde().deserializer(),
                written(EnvelopeSerde.events(Topics.WORKFLOW_EVENTS)), events.name());
        topology.addProcessor(WORKFLOW_HISTORY_PROCESSOR, () -> new HistoryProcessor<WorkflowEvent>(
                WORKFLOW_HISTORY_STORE, HistoryListener.NONE), WORKFLOW_EVENTS_SOURCE);
        topology.addProcessor(WORKFLOW_VIEW_PROCESSOR, () -> new ViewProcessor<>(WORKFLOW_VIEW_STORE,
                WorkflowViews::evolve, WorkflowView::version, workflowsApplied), WORKFLOW_HISTORY_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_HISTORY_STORE, JsonSerde.of(StoredEvent.class)),
                WORKFLOW_HISTORY_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_VIEW_STORE, JsonSerde.of(WorkflowView.class)), WORKFLOW_VIEW_PROCESSOR);

        Topic<String, EventEnvelope<RunEvent>> runEvents = topics.runEvents();
        topology.addSource(RUN_EVENTS_SOURCE, runEvents.keySerde().deserializer(),
                written(EnvelopeSerde.events(Topics.RUN_EVENTS)), runEvents.name());
        topology.addProcessor(RUN_HISTORY_PROCESSOR, () -> new RunHistoryProcessor(runEventsAppended),
                RUN_EVENTS_SOURCE);
        topology.addProcessor(RUN_VIEW_PROCESSOR, () -> new ViewProcessor<>(RUN_VIEW_STORE, RunViews::evolve,
                RunView::version, runsApplied), RUN_HISTORY_PROCESSOR);
        topology.addStateStore(store(RUN_HISTORY_STORE, JsonSerde.of(StoredEvent.class)), RUN_HISTORY_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_RUN_EVENTS_STORE, Serdes.String()), RUN_HISTORY_PROCESSOR);
        topology.addStateStore(store(RUN_VIEW_STORE, JsonSerde.of(RunView.class)), RUN_VIEW_PROCESSOR,
                RUN_HISTORY_PROCESSOR);
        return topology;
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values)
                .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topic.MAX_MESSAGE_BYTES)));
    }

    /**
     * Reads each event record twice over from one parse: as written (the JSON tree the history
     * keeps, with any field a newer writer added) and as this version understands it (the envelope
     * the views fold). A record neither can read is skipped by the deserialization handler.
     */
    private static <E> Deserializer<Written<E>> written(EnvelopeSerde<E, EventEnvelope<E>> serde) {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            JsonNode tree;
            try {
                tree = Json.mapper().readTree(bytes);
            } catch (JacksonException e) {
                throw new SerializationException("Cannot read an event from " + topic, e);
            }
            return new Written<>(tree, serde.fromTree(topic, tree));
        };
    }

    /** An event record as written on its topic and as read. */
    record Written<E>(JsonNode tree, EventEnvelope<E> envelope) {
    }

    /** The history-store key of an aggregate's event: ordered by version within the aggregate. */
    public static String historyKey(String aggregateId, long version) {
        return aggregateId + "|" + String.format("%019d", version);
    }

    /** The workflow-run-events-store key of a run event: ordered by offset within a partition. */
    public static String workflowRunEventKey(String workflowId, int partition, long offset) {
        return workflowId + "|" + String.format("%05d|%019d", partition, offset);
    }

    /**
     * Keeps each event of an aggregate once (a replayed version changes nothing), exactly as it is
     * written on its topic, then passes the event on to the view.
     */
    static class HistoryProcessor<E> implements Processor<String, Written<E>, String, EventEnvelope<E>> {

        private final String storeName;
        private final HistoryListener listener;
        private ProcessorContext<String, EventEnvelope<E>> context;
        private KeyValueStore<String, StoredEvent> history;

        HistoryProcessor(String storeName, HistoryListener listener) {
            this.storeName = storeName;
            this.listener = listener;
        }

        @Override
        public void init(ProcessorContext<String, EventEnvelope<E>> context) {
            this.context = context;
            history = context.getStateStore(storeName);
        }

        @Override
        public void process(Record<String, Written<E>> record) {
            if (record.value() == null || record.value().envelope().data() == null) {
                return;
            }
            EventEnvelope<E> envelope = record.value().envelope();
            String key = historyKey(envelope.aggregateId(), envelope.version());
            if (history.get(key) == null) {
                RecordMetadata at = context.recordMetadata().orElseThrow();
                StoredEvent stored = new StoredEvent(workflowOf(envelope), at.partition(), at.offset(),
                        record.value().tree());
                indexed(key, stored);
                history.put(key, stored);
                listener.appended(stored);
            }
            context.forward(record.withValue(envelope));
        }

        String workflowOf(EventEnvelope<E> envelope) {
            return envelope.aggregateId();
        }

        /** Runs before the event is stored: a replay after a crash in between indexes it again, under the same key. */
        void indexed(String historyKey, StoredEvent stored) {
        }
    }

    /** Also indexes each run event under its workflow, in topic order, for the workflow's runs stream. */
    static final class RunHistoryProcessor extends HistoryProcessor<RunEvent> {

        private KeyValueStore<String, RunView> runs;
        private KeyValueStore<String, String> workflowRunEvents;

        RunHistoryProcessor(HistoryListener listener) {
            super(RUN_HISTORY_STORE, listener);
        }

        @Override
        public void init(ProcessorContext<String, EventEnvelope<RunEvent>> context) {
            super.init(context);
            runs = context.getStateStore(RUN_VIEW_STORE);
            workflowRunEvents = context.getStateStore(WORKFLOW_RUN_EVENTS_STORE);
        }

        @Override
        String workflowOf(EventEnvelope<RunEvent> envelope) {
            if (envelope.data() instanceof RunEvent.RunStarted started) {
                return started.workflowId();
            }
            RunView run = runs.get(envelope.aggregateId());
            return run == null ? null : run.workflowId();
        }

        @Override
        void indexed(String historyKey, StoredEvent stored) {
            if (stored.workflowId() != null) {
                workflowRunEvents.put(workflowRunEventKey(stored.workflowId(), stored.partition(), stored.offset()),
                        historyKey);
            }
        }
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
