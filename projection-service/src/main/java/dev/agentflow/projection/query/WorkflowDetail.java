package dev.agentflow.projection.query;

import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/**
 * A workflow with its steps, as GET one and clone show it; {@code clonedFrom} is null unless cloned,
 * {@code stepCount} is the number of {@code steps}.
 */
public record WorkflowDetail(String id, String name, String description, String clonedFrom, int stepCount,
                             Instant createdAt, Instant updatedAt, List<StepDefinition> steps) {

    public static WorkflowDetail of(WorkflowView v) {
        return new WorkflowDetail(v.id(), v.name(), v.description(), v.clonedFrom(), v.steps().size(), v.createdAt(),
                v.updatedAt(), v.steps());
    }
}
