package dev.agentflow.projection.query;

import dev.agentflow.projection.topology.ProjectionTopology;
import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.runtime.kafka.StreamsApp;
import dev.agentflow.views.WorkflowDetail;
import dev.agentflow.views.WorkflowVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** Reads of the workflow views (interactive queries on the projection's local store). */
public final class WorkflowQueries {

    private final StreamsApp projection;
    private final VersionWatch watch;
    private final IndexPages lists;
    private final String workflowEventsTopic;
    private final CaughtUp caughtUp;

    /** @param workflowEventsTopic the topic whose partitions the workflow stores are split by */
    public WorkflowQueries(StreamsApp projection, VersionWatch watch, String workflowEventsTopic, CaughtUp caughtUp) {
        this.projection = projection;
        this.watch = watch;
        this.workflowEventsTopic = workflowEventsTopic;
        this.caughtUp = caughtUp;
        this.lists = new IndexPages(projection, ProjectionTopology.WORKFLOW_INDEX_STORE,
                ProjectionTopology.WORKFLOW_COUNT_STORE, workflowEventsTopic);
    }

    private ReadOnlyKeyValueStore<String, WorkflowView> store() {
        return projection.keyValueStore(ProjectionTopology.WORKFLOW_VIEW_STORE);
    }

    /** The answer a view gives. */
    public static WorkflowDetail detail(WorkflowView v) {
        return new WorkflowDetail(v.id(), v.name(), v.description(), v.clonedFrom(), v.steps().size(), v.createdAt(),
                v.updatedAt(), v.steps(), v.definitionVersion());
    }

    /** Version {@code definitionVersion} of the workflow's definition (deleted or not: the caller checks). */
    public Optional<WorkflowVersion> version(String workflowId, long definitionVersion) {
        ReadOnlyKeyValueStore<String, WorkflowVersion> versions = projection.keyValueStore(
                ProjectionTopology.WORKFLOW_VERSION_STORE);
        return Optional.ofNullable(versions.get(ProjectionTopology.versionKey(workflowId, definitionVersion)));
    }

    /** The versions of the workflow's definition, newest first, without their steps (versions are 1..latest). */
    public Page<WorkflowVersion> versions(WorkflowView workflow, int page, int size) {
        ReadOnlyKeyValueStore<String, WorkflowVersion> versions = projection.keyValueStore(
                ProjectionTopology.WORKFLOW_VERSION_STORE);
        long latest = workflow.definitionVersion();
        List<WorkflowVersion> content = new ArrayList<>();
        for (long v = latest - (long) page * size; v >= 1 && v > latest - (long) (page + 1) * size; v--) {
            WorkflowVersion version = versions.get(ProjectionTopology.versionKey(workflow.id(), v));
            if (version != null) {
                content.add(version.summary());
            }
        }
        return Page.of(content, latest, page, size);
    }

    /** The live (not deleted) workflow. */
    public Optional<WorkflowView> find(String workflowId) {
        return Optional.ofNullable(store().get(workflowId)).filter(v -> !v.deleted());
    }

    /**
     * The live workflow once this instance's views have read every workflow event written before
     * the call (a change another instance answered for is seen here).
     *
     * @throws dev.agentflow.web.ApiException 503 when the views could not catch up in time
     */
    public Optional<WorkflowView> findCaughtUp(String workflowId) {
        // workflow-events is written only in the workflow decider's transactions
        caughtUp.await(workflowEventsTopic, workflowId, true);
        return find(workflowId);
    }

    /** The view, deleted or not (a write reads its own result, a delete included). */
    public Optional<WorkflowView> findAny(String workflowId) {
        return Optional.ofNullable(store().get(workflowId));
    }

    /** Live workflows, newest first (a range scan of the workflow-index-store). */
    public Page<WorkflowView> page(int page, int size) {
        ReadOnlyKeyValueStore<String, WorkflowView> views = store();
        return lists.page(ProjectionTopology.LIVE_WORKFLOWS, true, page, size, id -> {
            WorkflowView view = views.get(id);
            return view == null || view.deleted() ? null : view;
        });
    }

    /**
     * Live workflows whose name or description contains {@code text} (ignoring case), newest first.
     * A scan of every live workflow: its cost grows with how many there are, never with the runs.
     */
    public Page<WorkflowView> search(String text, int page, int size) {
        String needle = text.toLowerCase(java.util.Locale.ROOT);
        ReadOnlyKeyValueStore<String, WorkflowView> views = store();
        List<WorkflowView> found = new ArrayList<>();
        int total = (int) Math.min(Integer.MAX_VALUE, lists.total(ProjectionTopology.LIVE_WORKFLOWS));
        for (String id : lists.ids(ProjectionTopology.LIVE_WORKFLOWS, true, total)) {
            WorkflowView view = views.get(id);
            if (view != null && !view.deleted() && (contains(view.name(), needle)
                    || contains(view.description(), needle))) {
                found.add(view);
            }
        }
        return Page.of(found, page, size);
    }

    private static boolean contains(String text, String needle) {
        return text != null && text.toLowerCase(java.util.Locale.ROOT).contains(needle);
    }

    /** Completes when the view of the workflow has applied {@code version} (read-your-writes). */
    public CompletableFuture<Void> whenApplied(String workflowId, long version) {
        return watch.whenApplied(workflowId, version, () -> {
            WorkflowView view = store().get(workflowId);
            return view == null ? 0 : view.version();
        });
    }
}
