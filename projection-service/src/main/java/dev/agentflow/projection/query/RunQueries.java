package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.view.RunView;
import dev.agentflow.projection.view.StepView;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.run.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads of the run views; lists are range scans of the run-index-store (see {@link IndexPages}). */
public final class RunQueries {

    private static final StringSerializer KEYS = new StringSerializer();

    private final StreamsApp projection;
    private final VersionWatch watch;
    private final IndexPages lists;
    private final String runCommandsTopic;
    private final CaughtUp caughtUp;

    /**
     * @param runEventsTopic   the topic whose partitions the run stores are split by
     * @param runCommandsTopic where a run's StartRun is written (a run is shown from it)
     */
    public RunQueries(StreamsApp projection, VersionWatch watch, String runEventsTopic, String runCommandsTopic,
                      CaughtUp caughtUp) {
        this.projection = projection;
        this.watch = watch;
        this.runCommandsTopic = runCommandsTopic;
        this.caughtUp = caughtUp;
        this.lists = new IndexPages(projection, ProjectionTopology.RUN_INDEX_STORE, ProjectionTopology.RUN_COUNT_STORE,
                runEventsTopic);
    }

    private ReadOnlyKeyValueStore<String, RunView> store() {
        return projection.keyValueStore(ProjectionTopology.RUN_VIEW_STORE);
    }

    /** How many runs are in {@code status} now (the paused ones: the operators' inbox). */
    public long count(RunStatus status) {
        return lists.total(ProjectionTopology.runsInStatus(status));
    }

    public Optional<RunView> find(String runId) {
        return Optional.ofNullable(store().get(runId));
    }

    /**
     * {@code read}, and when it finds nothing, {@code read} again once this instance's views have
     * read every StartRun written before the call: a run the API answered 202 for, on any instance,
     * is never reported missing.
     *
     * @throws dev.agentflow.web.ApiException 503 when the views could not catch up in time
     */
    public <T> Optional<T> findSurely(String runId, Supplier<Optional<T>> read) {
        Optional<T> found = read.get();
        if (found.isPresent()) {
            return found;
        }
        // run-commands is written mostly by plain idempotent producers (its end is its last record + 1), but
        // a start claimed under an idempotency key is written in a transaction: CaughtUp allows for its marker
        caughtUp.await(runCommandsTopic, runId, false);
        return read.get();
    }

    /** The run's steps, in order. */
    public List<StepView> steps(String runId) {
        List<StepView> steps = new ArrayList<>();
        try (KeyValueIterator<String, StepView> it = projection.<StepView>keyValueStore(
                ProjectionTopology.RUN_STEP_STORE).prefixScan(runId + "|", KEYS)) {
            it.forEachRemaining(kv -> steps.add(kv.value));
        }
        return steps;
    }

    /** The ids of the run's forks, oldest first (as far as this instance's views have read). */
    public List<String> forks(String runId) {
        java.util.TreeMap<String, String> forks = new java.util.TreeMap<>(); // one scan per partition: ordered here
        try (KeyValueIterator<String, String> it = projection.<String>keyValueStore(
                ProjectionTopology.RUN_FORK_STORE).prefixScan(runId + "|", KEYS)) {
            it.forEachRemaining(kv -> forks.put(kv.key, kv.value));
        }
        return List.copyOf(forks.values());
    }

    /** Where a payload that a run event references is stored. */
    public Optional<PayloadRef> payload(String payloadId) {
        return Optional.ofNullable(projection.<PayloadRef>keyValueStore(ProjectionTopology.PAYLOAD_REF_STORE)
                .get(payloadId));
    }

    /** A workflow's runs, newest first. */
    public Page<RunView> forWorkflow(String workflowId, int page, int size) {
        return forWorkflow(workflowId, null, page, size);
    }

    /** A workflow's runs in a status (all when null), newest first. */
    public Page<RunView> forWorkflow(String workflowId, RunStatus status, int page, int size) {
        return list(status == null ? ProjectionTopology.runsOfWorkflow(workflowId)
                : ProjectionTopology.runsOfWorkflowInStatus(workflowId, status), true, page, size);
    }

    /** Runs of every workflow in a status (all when null), oldest first: the operators' inbox. */
    public Page<RunView> byStatus(RunStatus status, int page, int size) {
        return byStatus(status, false, page, size);
    }

    /** Runs of every workflow in a status (all when null), newest or oldest first. */
    public Page<RunView> byStatus(RunStatus status, boolean newestFirst, int page, int size) {
        return list(status == null ? ProjectionTopology.ALL_RUNS : ProjectionTopology.runsInStatus(status),
                newestFirst, page, size);
    }

    public CompletableFuture<Void> whenApplied(String runId, long version) {
        return watch.whenApplied(runId, version, () -> find(runId).map(RunView::version).orElse(0L));
    }

    private Page<RunView> list(String list, boolean newestFirst, int page, int size) {
        ReadOnlyKeyValueStore<String, RunView> views = store();
        return lists.page(list, newestFirst, page, size, views::get);
    }
}
