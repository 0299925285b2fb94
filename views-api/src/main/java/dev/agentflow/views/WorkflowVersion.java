package dev.agentflow.views;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/**
 * One version of a workflow's definition, as it was: every change of its name, description or steps
 * makes the next version (1 at its creation). Runs record the version they execute.
 *
 * @param createdAt when this version came to be (the change's time)
 * @param createdBy who made the change (the event's actor); absent for changes from before actors
 * @param steps     its steps; absent in lists ({@code GET …/versions}), which show {@code stepCount}
 */
public record WorkflowVersion(String workflowId, long definitionVersion, String name, String description,
                              int stepCount, Instant createdAt,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String createdBy,
                              @JsonInclude(JsonInclude.Include.NON_NULL) List<StepDefinition> steps) {

    public WorkflowVersion {
        steps = steps == null ? null : List.copyOf(steps);
    }

    /** The same version without its steps, as lists show it. */
    public WorkflowVersion summary() {
        return new WorkflowVersion(workflowId, definitionVersion, name, description, stepCount, createdAt, createdBy,
                null);
    }
}
