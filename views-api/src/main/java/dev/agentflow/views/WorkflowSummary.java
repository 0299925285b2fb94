package dev.agentflow.views;

import java.time.Instant;

/** A workflow as lists and writes show it; {@code stepCount} is how many steps it has. */
public record WorkflowSummary(String id, String name, String description, int stepCount, Instant createdAt,
                              Instant updatedAt, long definitionVersion) {

    public static WorkflowSummary of(WorkflowDetail d) {
        return new WorkflowSummary(d.id(), d.name(), d.description(), d.stepCount(), d.createdAt(), d.updatedAt(),
                d.definitionVersion());
    }
}
