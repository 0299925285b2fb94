package dev.agentflow.api.workflow.domain;

import dev.agentflow.schemas.run.RunCommand;
import dev.agentflow.schemas.workflow.WorkflowCommand;

/** A command that follows from a workflow event, addressed to another aggregate. */
public sealed interface FollowUp {

    /** To another workflow (a clone's creation), on workflow-commands. */
    record ToWorkflow(WorkflowCommand command) implements FollowUp {
    }

    /** To a run (its start, with the snapshot), on run-commands. */
    record ToRun(RunCommand command) implements FollowUp {
    }
}
