package dev.agentflow.projection.query;

import dev.agentflow.projection.view.WorkflowView;
import java.time.Instant;

/** A workflow as lists and writes show it. */
public record WorkflowSummary(String id, String name, String description, Instant createdAt, Instant updatedAt) {

    public static WorkflowSummary of(WorkflowView v) {
        return new WorkflowSummary(v.id(), v.name(), v.description(), v.createdAt(), v.updatedAt());
    }
}
