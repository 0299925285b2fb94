package dev.agentflow.api.workflow.domain;

import dev.agentflow.schemas.workflow.StepDefinition;
import java.util.List;

/**
 * What the workflow decider knows of one workflow.
 *
 * @param version     number of events folded so far (the aggregate version)
 * @param exists      whether it was created
 * @param deleted     whether it was deleted (ids are never reused)
 * @param name        current name
 * @param description current description
 * @param steps       current steps, numbered 1..n
 */
public record WorkflowState(long version, boolean exists, boolean deleted, String name, String description,
                            List<StepDefinition> steps) {

    public static final WorkflowState INITIAL = new WorkflowState(0, false, false, null, null, List.of());

    public WorkflowState {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    public boolean live() {
        return exists && !deleted;
    }
}
