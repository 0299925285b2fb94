package dev.agentflow.projection.query;

import dev.agentflow.projection.view.WorkflowView;
import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/** A workflow with its steps, as GET one and clone show it; {@code clonedFrom} is null unless cloned. */
public record WorkflowDetail(String id, String name, String description, String clonedFrom, Instant createdAt,
                             Instant updatedAt, List<StepDefinition> steps) {

    public static WorkflowDetail of(WorkflowView v) {
        return new WorkflowDetail(v.id(), v.name(), v.description(), v.clonedFrom(), v.createdAt(), v.updatedAt(),
                v.steps());
    }
}
