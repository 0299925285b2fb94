package dev.agentflow.projection.view;

import dev.agentflow.schemas.workflow.StepDefinition;
import java.time.Instant;
import java.util.List;

/**
 * The queryable view of one workflow, folded from its events. A deleted workflow stays as a
 * tombstone ({@code deleted}) so that its version is still known, and is never served.
 *
 * @param version           the aggregate's version (every event)
 * @param definitionVersion the definition's version: 1 at creation, one more at each event that changes
 *                          its name, description or steps
 */
public record WorkflowView(String id, String name, String description, String clonedFrom, Instant createdAt,
                           Instant updatedAt, List<StepDefinition> steps, long version, boolean deleted,
                           long definitionVersion) {

    public WorkflowView {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }
}
