package dev.agentflow.projection.topology;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.projection.view.RunViews;
import dev.agentflow.projection.view.StepView;
import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.projection.view.WorkflowViews;
import dev.agentflow.runtime.kafka.RebuiltStores;
import dev.agentflow.runtime.tracing.RecordTracing;
import dev.agentflow.schemas.envelope.CommandEnvelope;
import dev.agentflow.schemas.envelope.EnvelopeSerde;
import dev.agentflow.schemas.envelope.EventEnvelope;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.json.JsonSerde;
import dev.agentflow.schemas.kafka.Topic;
import dev.agentflow.schemas.kafka.Topics;
import dev.agentflow.schemas.payload.CarriesPayloads;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.run.RunCommand.StartRun;
import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.run.RunEvent;
import dev.agentflow.schemas.run.RunStatus;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import dev.agentflow.views.WorkflowVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * workflow-events → workflow-events-processor (owns workflow-history-store, workflow-view-store and
 * workflow-version-store);
 * run-events → run-events-processor (owns run-history-store, workflow-run-events-store,
 * run-view-store, run-step-store and payload-ref-store); run-commands → run-starts-processor (shares
 * the run views: a run is shown from the moment its {@code StartRun} is written, before it is decided).
 *
 * <p>Each processor folds an event into its view first, then stores it in the history, then writes
 * the view: an event that cannot be folded (one of a run that never started, say) throws before
 * anything is stored, so it goes to the dead-letter topic whole and the views never crash-loop on
 * it. A write that has seen its view finds its events too.
 */
public final class ProjectionTopology {

    public static final String NAME = "projection";
    public static final String WORKFLOW_EVENTS_SOURCE = "workflow-events-source";
    public static final String WORKFLOW_EVENTS_PROCESSOR = "workflow-events-processor";
    public static final String WORKFLOW_VIEW_STORE = "workflow-view-store";
    public static final String WORKFLOW_HISTORY_STORE = "workflow-history-store";
    /** Every version of every workflow's definition: {@code workflowId|definitionVersion} → {@link WorkflowVersion}. */
    public static final String WORKFLOW_VERSION_STORE = "workflow-version-store";
    /**
     * The format of the stores, in their state directory's marker: a projection whose stores were
     * written in another one (before the workflow versions, say) rebuilds them from the topics.
     */
    public static final String STORES_FORMAT = "2";
    public static final String RUN_EVENTS_SOURCE = "run-events-source";
    public static final String RUN_EVENTS_PROCESSOR = "run-events-processor";
    public static final String RUN_COMMANDS_SOURCE = "run-commands-source";
    public static final String RUN_STARTS_PROCESSOR = "run-starts-processor";
    public static final String RUN_VIEW_STORE = "run-view-store";
    /** One record per step of a run: {@code runId|stepOrder} → {@link StepView}. */
    public static final String RUN_STEP_STORE = "run-step-store";
    public static final String RUN_HISTORY_STORE = "run-history-store";
    /** The events of every run of a workflow: {@code workflowId|partition|offset} → the run-history-store key. */
    public static final String WORKFLOW_RUN_EVENTS_STORE = "workflow-run-events-store";
    /** The lists of runs ({@link #ALL_RUNS}, {@link #runsInStatus}, {@link #runsOfWorkflow}): see {@link ListIndex}. */
    public static final String RUN_INDEX_STORE = "run-index-store";
    /** How many runs each list of the run-index-store holds. */
    public static final String RUN_COUNT_STORE = "run-count-store";
    /** The list of live workflows ({@link #LIVE_WORKFLOWS}): see {@link ListIndex}. */
    public static final String WORKFLOW_INDEX_STORE = "workflow-index-store";
    public static final String WORKFLOW_COUNT_STORE = "workflow-count-store";
    public static final String ALL_RUNS = "all";
    public static final String LIVE_WORKFLOWS = "live";
    /** The forks of each run: {@code sourceRunId|startedAt|forkRunId} → the fork's id. */
    public static final String RUN_FORK_STORE = "run-fork-store";
    /** Every payload the run events reference: payloadId → where it is stored. */
    public static final String PAYLOAD_REF_STORE = "payload-ref-store";

    private ProjectionTopology() {
    }

    public static String runsInStatus(RunStatus status) {
        return "status:" + status.name();
    }

    public static String runsOfWorkflow(String workflowId) {
        return "workflow:" + workflowId;
    }

    /** A workflow's runs in one status (a list's name never holds '|'; ids cannot). */
    public static String runsOfWorkflowInStatus(String workflowId, RunStatus status) {
        return "workflow:" + workflowId + ":status:" + status.name();
    }

    /** The projection's name on one instance: every instance keeps every view, under its own application id. */
    public static String appName(String instanceId) {
        return NAME + "-" + instanceId;
    }

    public static Topology build(Topics topics, AppliedListener workflowsApplied, AppliedListener runsApplied,
                                 HistoryListener runEventsAppended) {
        return addTo(new Topology(), topics, workflowsApplied, runsApplied, runEventsAppended, ReadProgress.NONE);
    }

    /**
     * Adds this topology's nodes and stores to {@code topology} (the one Spring for Apache Kafka builds).
     *
     * @param progress told of each record read from workflow-events and run-commands, so that a read
     *                 that finds nothing can wait until the views have read what was written before it
     */
    public static Topology addTo(Topology topology, Topics topics, AppliedListener workflowsApplied,
                                 AppliedListener runsApplied, HistoryListener runEventsAppended,
                                 ReadProgress progress) {
        Topic<String, EventEnvelope<WorkflowEvent>> events = topics.workflowEvents();
        topology.addSource(WORKFLOW_EVENTS_SOURCE, events.keySerde().deserializer(),
                written(EnvelopeSerde.events(Topics.WORKFLOW_EVENTS)), events.name());
        topology.addProcessor(WORKFLOW_EVENTS_PROCESSOR, () -> new WorkflowEventsProcessor(workflowsApplied, progress),
                WORKFLOW_EVENTS_SOURCE);
        topology.addStateStore(store(WORKFLOW_HISTORY_STORE, JsonSerde.of(StoredEvent.class)),
                WORKFLOW_EVENTS_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_VIEW_STORE, JsonSerde.of(WorkflowView.class)),
                WORKFLOW_EVENTS_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_VERSION_STORE, JsonSerde.of(WorkflowVersion.class)),
                WORKFLOW_EVENTS_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_INDEX_STORE, Serdes.String()), WORKFLOW_EVENTS_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_COUNT_STORE, Serdes.Long()), WORKFLOW_EVENTS_PROCESSOR);

        Topic<String, EventEnvelope<RunEvent>> runEvents = topics.runEvents();
        topology.addSource(RUN_EVENTS_SOURCE, runEvents.keySerde().deserializer(),
                written(EnvelopeSerde.events(Topics.RUN_EVENTS)), runEvents.name());
        topology.addProcessor(RUN_EVENTS_PROCESSOR, () -> new RunEventsProcessor(runsApplied, runEventsAppended),
                RUN_EVENTS_SOURCE);
        topology.addStateStore(store(RUN_HISTORY_STORE, JsonSerde.of(StoredEvent.class)), RUN_EVENTS_PROCESSOR);
        topology.addStateStore(store(WORKFLOW_RUN_EVENTS_STORE, Serdes.String()), RUN_EVENTS_PROCESSOR);
        topology.addStateStore(store(RUN_VIEW_STORE, JsonSerde.of(RunView.class)), RUN_EVENTS_PROCESSOR);
        topology.addStateStore(store(RUN_STEP_STORE, JsonSerde.of(StepView.class)), RUN_EVENTS_PROCESSOR);
        topology.addStateStore(store(PAYLOAD_REF_STORE, JsonSerde.of(PayloadRef.class)), RUN_EVENTS_PROCESSOR);
        topology.addStateStore(store(RUN_INDEX_STORE, Serdes.String()), RUN_EVENTS_PROCESSOR);
        topology.addStateStore(store(RUN_COUNT_STORE, Serdes.Long()), RUN_EVENTS_PROCESSOR);
        topology.addStateStore(store(RUN_FORK_STORE, Serdes.String()), RUN_EVENTS_PROCESSOR);

        // Only StartRun is read (it carries a type header); the rest of run-commands is skipped unparsed.
        Topic<String, CommandEnvelope<RunCommand>> runCommands = topics.runCommands();
        topology.addSource(RUN_COMMANDS_SOURCE, runCommands.keySerde().deserializer(),
                Serdes.ByteArray().deserializer(), runCommands.name());
        topology.addProcessor(RUN_STARTS_PROCESSOR, () -> new RunStartsProcessor(
                runCommands.valueSerde().deserializer(), progress), RUN_COMMANDS_SOURCE);
        topology.connectProcessorAndStateStores(RUN_STARTS_PROCESSOR, RUN_VIEW_STORE, RUN_STEP_STORE,
                RUN_INDEX_STORE, RUN_COUNT_STORE);
        return topology;
    }

    /**
     * Every store of the views derives from the event topics, which are kept forever: none has a
     * changelog; a lost one is rebuilt from the topics (see {@link RebuiltStores}).
     */
    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return RebuiltStores.keyValueStore(name, Serdes.String(), values);
    }

    /**
     * Reads each event record twice over from one parse: as written (the JSON tree the history
     * keeps, with any field a newer writer added) and as this version understands it (the envelope
     * the views fold). A record neither can read goes to the dead-letter topic.
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
            EventEnvelope<E> envelope = serde.fromTree(topic, tree);
            if (envelope.aggregateId() == null || envelope.version() < 1 || envelope.occurredAt() == null
                    || envelope.data() == null) {
                throw new SerializationException("Not an event envelope on " + topic
                        + ": aggregateId, version, occurredAt and data are required");
            }
            return new Written<>(tree, envelope);
        };
    }

    /** An event record as written on its topic and as read. */
    record Written<E>(JsonNode tree, EventEnvelope<E> envelope) {
    }

    /** The history-store key of an aggregate's event: ordered by version within the aggregate. */
    public static String historyKey(String aggregateId, long version) {
        return aggregateId + "|" + String.format("%019d", version);
    }

    /** The workflow-version-store key of a version of a workflow's definition. */
    public static String versionKey(String workflowId, long definitionVersion) {
        return workflowId + "|" + String.format("%019d", definitionVersion);
    }

    /** The workflow-run-events-store key of a run event: ordered by offset within a partition. */
    public static String workflowRunEventKey(String workflowId, int partition, long offset) {
        return workflowId + "|" + String.format("%05d|%019d", partition, offset);
    }

    /** The run-fork-store key of a fork of a run: ordered by when it started. */
    public static String forkKey(String sourceRunId, Instant startedAt, String forkRunId) {
        return sourceRunId + "|" + String.format("%019d", startedAt.toEpochMilli()) + "|" + forkRunId;
    }

    /** The run-step-store key of a run's step: ordered by step within the run. */
    public static String stepKey(String runId, int stepOrder) {
        return runId + "|" + String.format("%05d", stepOrder);
    }

    /**
     * Keeps each event of an aggregate once (a replayed version changes nothing), exactly as it is
     * written on its topic.
     */
    private static StoredEvent storeOnce(KeyValueStore<String, StoredEvent> history, ProcessorContext<?, ?> context,
                                         Written<?> written, String workflowId) {
        String key = historyKey(written.envelope().aggregateId(), written.envelope().version());
        if (history.get(key) != null) {
            return null;
        }
        RecordMetadata at = context.recordMetadata().orElseThrow();
        StoredEvent stored = new StoredEvent(workflowId, at.partition(), at.offset(), written.tree());
        history.put(key, stored);
        return stored;
    }

    /**
     * Fills a processor's indexes from its views (written before the indexes existed) as soon as its
     * task runs, even when no new event comes; the first event fills them at the latest.
     */
    private static void fillIndexWhenIdle(ProcessorContext<?, ?> context, Runnable fill) {
        Cancellable[] once = new Cancellable[1];
        once[0] = context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, now -> {
            fill.run();
            once[0].cancel();
        });
    }

    /** Keeps a run in the list of all runs, of its workflow, of its status and of its workflow's in its status. */
    private static void indexRun(ListIndex lists, RunView before, RunView after) {
        if (before != null && !before.createdAt().equals(after.createdAt())) {
            // a started run is listed by when it started, no longer by when its start was requested
            lists.remove(ALL_RUNS, before.createdAt(), before.id());
            lists.remove(runsOfWorkflow(before.workflowId()), before.createdAt(), before.id());
            lists.remove(runsInStatus(before.status()), before.createdAt(), before.id());
            lists.remove(runsOfWorkflowInStatus(before.workflowId(), before.status()), before.createdAt(), before.id());
            before = null;
        }
        if (before == null) {
            lists.add(ALL_RUNS, after.createdAt(), after.id());
            lists.add(runsOfWorkflow(after.workflowId()), after.createdAt(), after.id());
            lists.add(runsInStatus(after.status()), after.createdAt(), after.id());
            lists.add(runsOfWorkflowInStatus(after.workflowId(), after.status()), after.createdAt(), after.id());
        } else if (before.status() != after.status()) {
            lists.remove(runsInStatus(before.status()), before.createdAt(), before.id());
            lists.add(runsInStatus(after.status()), after.createdAt(), after.id());
            lists.remove(runsOfWorkflowInStatus(before.workflowId(), before.status()), before.createdAt(), before.id());
            lists.add(runsOfWorkflowInStatus(after.workflowId(), after.status()), after.createdAt(), after.id());
        }
    }

    /** Tells {@code progress} of the record being processed. */
    private static void read(ProcessorContext<?, ?> context, ReadProgress progress) {
        context.recordMetadata().ifPresent(at -> progress.read(at.topic(), at.partition(), at.offset()));
    }

    /** Workflow events: folded into the workflow's view, kept in its history. */
    static final class WorkflowEventsProcessor implements Processor<String, Written<WorkflowEvent>, Void, Void> {

        private final AppliedListener applied;
        private final ReadProgress progress;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, StoredEvent> history;
        private KeyValueStore<String, WorkflowView> views;
        private KeyValueStore<String, WorkflowVersion> versions;
        private ListIndex live;

        WorkflowEventsProcessor(AppliedListener applied, ReadProgress progress) {
            this.applied = applied;
            this.progress = progress;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            history = context.getStateStore(WORKFLOW_HISTORY_STORE);
            views = context.getStateStore(WORKFLOW_VIEW_STORE);
            versions = context.getStateStore(WORKFLOW_VERSION_STORE);
            live = new ListIndex(context.getStateStore(WORKFLOW_INDEX_STORE),
                    context.getStateStore(WORKFLOW_COUNT_STORE));
            fillIndexWhenIdle(context, this::fillIndex);
        }

        /** Indexes the views written before the index existed, once. */
        private void fillIndex() {
            live.fill(views, view -> index(null, view));
        }

        private void index(WorkflowView before, WorkflowView after) {
            boolean wasLive = before != null && !before.deleted();
            boolean isLive = after != null && !after.deleted();
            if (isLive && !wasLive) {
                live.add(LIVE_WORKFLOWS, after.createdAt(), after.id());
            } else if (wasLive && !isLive) {
                live.remove(LIVE_WORKFLOWS, before.createdAt(), before.id());
            }
        }

        @Override
        public void process(Record<String, Written<WorkflowEvent>> record) {
            try {
                apply(record);
            } finally {
                read(context, progress);
            }
        }

        private void apply(Record<String, Written<WorkflowEvent>> record) {
            if (record.value() == null) {
                return;
            }
            fillIndex();
            EventEnvelope<WorkflowEvent> envelope = record.value().envelope();
            WorkflowView before = views.get(envelope.aggregateId());
            WorkflowView after = WorkflowViews.evolve(before, envelope);
            storeOnce(history, context, record.value(), envelope.aggregateId());
            if (after != before) {
                index(before, after);
                if (before == null || after.definitionVersion() > before.definitionVersion()) {
                    versions.put(versionKey(after.id(), after.definitionVersion()), new WorkflowVersion(after.id(),
                            after.definitionVersion(), after.name(), after.description(), after.steps().size(),
                            envelope.occurredAt(), envelope.actor(), after.steps()));
                }
                views.put(envelope.aggregateId(), after);
            }
            applied.applied(envelope.aggregateId(), after.version());
        }
    }

    /**
     * Run events: folded into the run's view and the step they name, kept in the run's history and
     * indexed under the run's workflow; every payload they reference is indexed by id.
     */
    static final class RunEventsProcessor implements Processor<String, Written<RunEvent>, Void, Void> {

        private final AppliedListener applied;
        private final HistoryListener appended;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, StoredEvent> history;
        private KeyValueStore<String, String> workflowRunEvents;
        private KeyValueStore<String, RunView> runs;
        private KeyValueStore<String, StepView> steps;
        private KeyValueStore<String, PayloadRef> payloads;
        private KeyValueStore<String, String> forks;
        private ListIndex lists;

        RunEventsProcessor(AppliedListener applied, HistoryListener appended) {
            this.applied = applied;
            this.appended = appended;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            history = context.getStateStore(RUN_HISTORY_STORE);
            workflowRunEvents = context.getStateStore(WORKFLOW_RUN_EVENTS_STORE);
            runs = context.getStateStore(RUN_VIEW_STORE);
            steps = context.getStateStore(RUN_STEP_STORE);
            payloads = context.getStateStore(PAYLOAD_REF_STORE);
            forks = context.getStateStore(RUN_FORK_STORE);
            lists = new ListIndex(context.getStateStore(RUN_INDEX_STORE), context.getStateStore(RUN_COUNT_STORE));
            fillIndexWhenIdle(context, this::fillIndex);
        }

        /** Indexes the views written before the index existed, once. */
        private void fillIndex() {
            lists.fill(runs, view -> indexRun(lists, null, view));
        }

        @Override
        public void process(Record<String, Written<RunEvent>> record) {
            if (record.value() == null) {
                return;
            }
            fillIndex();
            EventEnvelope<RunEvent> envelope = record.value().envelope();
            String runId = envelope.aggregateId();
            RunView run = runs.get(runId);
            int stepOrder = RunViews.stepOf(envelope.data());
            StepView step = stepOrder > 0 ? steps.get(stepKey(runId, stepOrder)) : null;
            RunViews.Change change = RunViews.evolve(run, step, envelope);
            if (change != null && envelope.data() instanceof RunEvent.RunStarted) {
                // the trace of the request that started the run, which its every hop joins
                change = change.withRun(change.run().inTrace(RecordTracing.traceId(RecordTracing.traceparent(
                        record.headers()))));
            }
            RunView after = change != null ? change.run() : run;

            StoredEvent stored = storeOnce(history, context, record.value(), after.workflowId());
            if (stored != null) {
                workflowRunEvents.put(workflowRunEventKey(after.workflowId(), stored.partition(), stored.offset()),
                        historyKey(runId, envelope.version()));
                if (envelope.data() instanceof CarriesPayloads carrier) {
                    // most references repeat one already indexed (a step's input is the last output)
                    carrier.payloads().filter(p -> p != null && p.isRef()).map(Payload::ref)
                            .filter(ref -> payloads.get(ref.payloadId()) == null)
                            .forEach(ref -> payloads.put(ref.payloadId(), ref));
                }
            }
            if (change != null) {
                change.steps().forEach(s -> steps.put(stepKey(runId, s.stepOrder()), s));
                if (envelope.data() instanceof RunEvent.RunStarted started && started.forkedFrom() != null) {
                    forks.put(forkKey(started.forkedFrom().runId(), envelope.occurredAt(), runId), runId);
                }
                indexRun(lists, run, after);
                runs.put(runId, after);
            }
            if (stored != null) {
                appended.appended(stored);
            }
            applied.applied(runId, after.version());
        }
    }

    /**
     * Run commands: a {@code StartRun} shows its run (RUNNING, version 0, every step pending) from
     * the moment it is written, so the run is readable right after the API's 202, before its decider
     * has decided it; {@code RunStarted} then takes the view over. A start whose run is already shown
     * only sets the run's creation time to its own, when the run's {@code RunStarted} was read first
     * (the topics' partitions are read at their own paces), so that every instance shows the same;
     * every other command is skipped. Only StartRun records, which carry a type header, are parsed.
     */
    static final class RunStartsProcessor implements Processor<String, byte[], Void, Void> {

        private final Deserializer<CommandEnvelope<RunCommand>> commands;
        private final ReadProgress progress;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, RunView> runs;
        private KeyValueStore<String, StepView> steps;
        private ListIndex lists;

        RunStartsProcessor(Deserializer<CommandEnvelope<RunCommand>> commands, ReadProgress progress) {
            this.commands = commands;
            this.progress = progress;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            runs = context.getStateStore(RUN_VIEW_STORE);
            steps = context.getStateStore(RUN_STEP_STORE);
            lists = new ListIndex(context.getStateStore(RUN_INDEX_STORE), context.getStateStore(RUN_COUNT_STORE));
        }

        @Override
        public void process(Record<String, byte[]> record) {
            try {
                apply(record);
            } finally {
                read(context, progress);
            }
        }

        private void apply(Record<String, byte[]> record) {
            Header type = record.headers().lastHeader(Topics.COMMAND_TYPE_HEADER);
            if (record.value() == null || record.key() == null || type == null
                    || !"StartRun".equals(new String(type.value(), StandardCharsets.UTF_8))) {
                return;
            }
            CommandEnvelope<RunCommand> command = commands.deserialize(
                    context.recordMetadata().map(RecordMetadata::topic).orElse(RUN_COMMANDS_SOURCE), record.value());
            if (!(command.data() instanceof StartRun start) || !record.key().equals(start.runId())
                    || command.issuedAt() == null) {
                throw new SerializationException("A record headed StartRun is not a StartRun of run " + record.key());
            }
            RunView shown = runs.get(start.runId());
            if (shown != null) {
                // Its RunStarted was read first (this topic's partition lagged behind run-events'): it was
                // created when its start was asked, as an instance that read the command first shows it.
                if (shown.version() > 0 && !shown.createdAt().equals(command.issuedAt())) {
                    RunView asked = shown.requestedAt(command.issuedAt());
                    indexRun(lists, shown, asked);
                    runs.put(start.runId(), asked);
                }
                return;
            }
            lists.fill(runs, view -> indexRun(lists, null, view));
            RunViews.Change change = RunViews.requested(start, command.issuedAt(), command.actor());
            change = change.withRun(change.run().inTrace(RecordTracing.traceId(RecordTracing.traceparent(
                    record.headers()))));
            change.steps().forEach(s -> steps.put(stepKey(start.runId(), s.stepOrder()), s));
            indexRun(lists, null, change.run());
            runs.put(start.runId(), change.run());
        }
    }
}
