package dev.agentflow.projection.query;

import dev.agentflow.projection.view.RunView;
import dev.agentflow.schemas.run.RunStatus;
import java.time.Instant;

/**
 * A run in lists: the reference's fields, plus {@code lastStepOrder}, the same number as
 * {@code currentStepOrder} under the name the Agent Manager's own clients read. {@code durationMs} =
 * updatedAt − createdAt.
 */
public record RunSummary(String id, String workflowId, String sessionId, RunStatus status, int currentStepOrder,
                         int lastStepOrder, long durationMs, Instant createdAt, Instant updatedAt) {

    public static RunSummary of(RunView v) {
        return new RunSummary(v.id(), v.workflowId(), v.sessionId(), v.status(), v.currentStepOrder(),
                v.currentStepOrder(),
                v.updatedAt().toEpochMilli() - v.createdAt().toEpochMilli(), v.createdAt(), v.updatedAt());
    }
}
