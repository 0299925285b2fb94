package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.schemas.kafka.StreamsApp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads of the workflow views (interactive queries on the projection's local store). */
public final class WorkflowQueries {

    private static final Comparator<WorkflowView> NEWEST_FIRST = Comparator
            .comparing(WorkflowView::createdAt).reversed()
            .thenComparing(WorkflowView::id);

    private final StreamsApp projection;
    private final VersionWatch watch;

    public WorkflowQueries(StreamsApp projection, VersionWatch watch) {
        this.projection = projection;
        this.watch = watch;
    }

    private ReadOnlyKeyValueStore<String, WorkflowView> store() {
        return projection.keyValueStore(ProjectionTopology.WORKFLOW_VIEW_STORE);
    }

    /** The live (not deleted) workflow. */
    public Optional<WorkflowView> find(String workflowId) {
        return Optional.ofNullable(store().get(workflowId)).filter(v -> !v.deleted());
    }

    /** The view, deleted or not (a write reads its own result, a delete included). */
    public Optional<WorkflowView> findAny(String workflowId) {
        return Optional.ofNullable(store().get(workflowId));
    }

    /** Live workflows, newest first. */
    public Page<WorkflowView> page(int page, int size) {
        List<WorkflowView> live = new ArrayList<>();
        try (KeyValueIterator<String, WorkflowView> all = store().all()) {
            while (all.hasNext()) {
                KeyValue<String, WorkflowView> next = all.next();
                if (!next.value.deleted()) {
                    live.add(next.value);
                }
            }
        }
        live.sort(NEWEST_FIRST);
        return Page.of(live, page, size);
    }

    /** Completes when the view of the workflow has applied {@code version} (read-your-writes). */
    public CompletableFuture<Void> whenApplied(String workflowId, long version) {
        return watch.whenApplied(workflowId, version, () -> {
            WorkflowView view = store().get(workflowId);
            return view == null ? 0 : view.version();
        });
    }
}
