package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.view.RunView;
import dev.agentflow.projection.view.StepView;
import dev.agentflow.schemas.kafka.StreamsApp;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.run.RunStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads of the run views. */
public final class RunQueries {

    private static final Comparator<RunView> OLDEST_FIRST = Comparator.comparing(RunView::createdAt)
            .thenComparing(RunView::id);
    private static final StringSerializer KEYS = new StringSerializer();

    private final StreamsApp projection;
    private final VersionWatch watch;

    public RunQueries(StreamsApp projection, VersionWatch watch) {
        this.projection = projection;
        this.watch = watch;
    }

    private ReadOnlyKeyValueStore<String, RunView> store() {
        return projection.keyValueStore(ProjectionTopology.RUN_VIEW_STORE);
    }

    public Optional<RunView> find(String runId) {
        return Optional.ofNullable(store().get(runId));
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

    /** Where a payload that a run event references is stored. */
    public Optional<PayloadRef> payload(String payloadId) {
        return Optional.ofNullable(projection.<PayloadRef>keyValueStore(ProjectionTopology.PAYLOAD_REF_STORE)
                .get(payloadId));
    }

    /** A workflow's runs, newest first. */
    public Page<RunView> forWorkflow(String workflowId, int page, int size) {
        List<RunView> runs = select(r -> r.workflowId().equals(workflowId));
        runs.sort(OLDEST_FIRST.reversed());
        return Page.of(runs, page, size);
    }

    /** Runs of every workflow in a status (all when null), oldest first: the operators' inbox. */
    public Page<RunView> byStatus(RunStatus status, int page, int size) {
        List<RunView> runs = select(r -> status == null || r.status() == status);
        runs.sort(OLDEST_FIRST);
        return Page.of(runs, page, size);
    }

    public CompletableFuture<Void> whenApplied(String runId, long version) {
        return watch.whenApplied(runId, version, () -> find(runId).map(RunView::version).orElse(0L));
    }

    private List<RunView> select(Predicate<RunView> filter) {
        List<RunView> selected = new ArrayList<>();
        try (KeyValueIterator<String, RunView> all = store().all()) {
            all.forEachRemaining(kv -> {
                if (filter.test(kv.value)) {
                    selected.add(kv.value);
                }
            });
        }
        return selected;
    }
}
