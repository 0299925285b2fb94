package dev.agentflow.projection.query;

import dev.agentflow.views.ReadYourWrites;
import dev.agentflow.views.WorkflowDetail;
import dev.agentflow.views.WorkflowVersion;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The views of this process, as the command API reads its own writes from them. */
public final class ProjectionReads implements ReadYourWrites {

    private final WorkflowQueries workflows;
    private final RunQueries runs;

    public ProjectionReads(WorkflowQueries workflows, RunQueries runs) {
        this.workflows = workflows;
        this.runs = runs;
    }

    @Override
    public CompletableFuture<Void> workflowApplied(String workflowId, long version) {
        return workflows.whenApplied(workflowId, version);
    }

    @Override
    public Optional<WorkflowDetail> workflow(String workflowId) {
        return workflows.findAny(workflowId).map(WorkflowQueries::detail);
    }

    @Override
    public Optional<WorkflowDetail> liveWorkflow(String workflowId, boolean caughtUp) {
        return (caughtUp ? workflows.findCaughtUp(workflowId) : workflows.find(workflowId))
                .map(WorkflowQueries::detail);
    }

    @Override
    public Optional<WorkflowVersion> workflowVersion(String workflowId, long definitionVersion, boolean caughtUp) {
        return (caughtUp ? workflows.findCaughtUp(workflowId) : workflows.find(workflowId))
                .flatMap(live -> workflows.version(workflowId, definitionVersion));
    }

    @Override
    public CompletableFuture<Void> runApplied(String runId, long version) {
        return runs.whenApplied(runId, version);
    }
}
