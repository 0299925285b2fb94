package dev.agentflow.projection.query;

import dev.agentflow.projection.view.StepView;
import dev.agentflow.schemas.payload.Payload;
import dev.agentflow.views.ReadYourWrites;
import dev.agentflow.views.RunOutputs;
import dev.agentflow.views.WorkflowDetail;
import dev.agentflow.views.WorkflowVersion;
import java.util.ArrayList;
import java.util.List;
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
    public Optional<RunOutputs> runOutputs(String runId) {
        return runs.findSurely(runId, () -> runs.find(runId)).map(run -> {
            List<Payload> outputs = new ArrayList<>();
            for (StepView step : runs.steps(runId)) {
                while (outputs.size() < step.stepOrder() - 1) {
                    outputs.add(null);
                }
                outputs.add(step.status() == StepView.StepStatus.COMPLETED ? step.output() : null);
            }
            return new RunOutputs(run.id(), run.workflowId(), run.status(), run.definitionVersion(), run.input(),
                    outputs);
        });
    }

    @Override
    public CompletableFuture<Void> runApplied(String runId, long version) {
        return runs.whenApplied(runId, version);
    }
}
