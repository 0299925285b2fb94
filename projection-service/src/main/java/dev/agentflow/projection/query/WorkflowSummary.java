package dev.agentflow.projection.query;

import dev.agentflow.projection.view.WorkflowView;
import java.time.Instant;

/** A workflow as lists and writes show it; {@code stepCount} is how many steps it has. */
public record WorkflowSummary(String id, String name, String description, int stepCount, Instant createdAt,
                              Instant updatedAt) {

    public static WorkflowSummary of(WorkflowView v) {
        return new WorkflowSummary(v.id(), v.name(), v.description(), v.steps().size(), v.createdAt(),
                v.updatedAt());
    }
}
