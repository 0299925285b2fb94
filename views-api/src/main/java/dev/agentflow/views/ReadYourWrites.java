package dev.agentflow.views;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a write needs of the views, and all the command API sees of them: to wait until the views of
 * this process have applied the version a command produced, then to answer from them. The
 * projection implements it.
 */
public interface ReadYourWrites {

    /** Completes when the workflow's view has applied {@code version}. */
    CompletableFuture<Void> workflowApplied(String workflowId, long version);

    /** The workflow as its view shows it, deleted or not (a write reads its own result, a delete included). */
    Optional<WorkflowDetail> workflow(String workflowId);

    /**
     * The workflow if it is live, as this process's views show it: now, or ({@code caughtUp}) once
     * they have read every workflow event written before the call, so that a change answered by
     * another instance is seen; empty when it does not exist or is deleted.
     */
    Optional<WorkflowDetail> liveWorkflow(String workflowId, boolean caughtUp);

    /**
     * Version {@code definitionVersion} of the live workflow's definition, as this process's views show
     * it (once caught up, as {@link #liveWorkflow}); empty when the workflow or the version does not exist.
     */
    Optional<WorkflowVersion> workflowVersion(String workflowId, long definitionVersion, boolean caughtUp);

    /**
     * The run's input and its steps' outputs as this process's views show them (once they have read
     * every start written before the call, when it is not there yet); empty when it does not exist.
     */
    Optional<RunOutputs> runOutputs(String runId);

    /** Completes when the run's view has applied {@code version}. */
    CompletableFuture<Void> runApplied(String runId, long version);
}
