package dev.agentflow.views;

import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/**
 * A workflow with its steps, as GET one and clone show it; {@code clonedFrom} is null unless cloned,
 * {@code stepCount} is the number of {@code steps}, {@code definitionVersion} the version of the
 * definition shown (see {@link WorkflowVersion}).
 */
public record WorkflowDetail(String id, String name, String description, String clonedFrom, int stepCount,
                             Instant createdAt, Instant updatedAt, List<StepDefinition> steps,
                             long definitionVersion) {

    public WorkflowDetail {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }
}
